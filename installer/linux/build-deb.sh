#!/usr/bin/env bash
# Builds target/kyso_<version>_<arch>.deb from the release binaries with
# plain dpkg-deb (no cargo-deb):
#   cargo build --release --locked -p kyso -p kyso-cli
#   bash installer/linux/build-deb.sh
# Prints the path of the .deb on stdout (everything else goes to stderr).
#
# Contents: /usr/bin/kyso (GUI), /usr/bin/kyso-cli, the desktop entry, the
# SVG icon (plus a 256x256 PNG when rsvg-convert is installed), AppStream
# metainfo, copyright (Apache-2.0) and the bundled font licence (OFL-1.1).
# Depends is computed by dpkg-shlibdeps from what the binaries link
# (libc6, libgcc-s1); the GUI dlopens X11/Wayland/Vulkan/GL at run time, so
# those libraries are Recommends, and token software is Suggests.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || { echo "build-deb: no workspace version in Cargo.toml" >&2; exit 1; }
arch=$(dpkg --print-architecture)
# KYSO_BIN_DIR: where the binaries are (default target/release; the
# packaging test uses its lighter profile's target/package-test).
bindir=${KYSO_BIN_DIR:-target/release}
for bin in kyso kyso-cli; do
  [ -x "$bindir/$bin" ] || { echo "build-deb: missing $bindir/$bin: run cargo build --release --locked -p kyso -p kyso-cli first" >&2; exit 1; }
done

# The package tree lives in build/debian/kyso so that dpkg-shlibdeps sees the
# binaries inside their package directory.
build="target/deb/build"
stage="$build/debian/kyso"
rm -rf "$build"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/metainfo" "$stage/usr/share/doc/kyso"
install -m 0755 "$bindir/kyso" "$bindir/kyso-cli" "$stage/usr/bin/"
install -m 0644 installer/linux/kyso.desktop "$stage/usr/share/applications/kyso.desktop"
install -m 0644 assets/icons/kyso.svg "$stage/usr/share/icons/hicolor/scalable/apps/kyso.svg"
if command -v rsvg-convert >/dev/null; then
  install -d "$stage/usr/share/icons/hicolor/256x256/apps"
  rsvg-convert -w 256 -h 256 assets/icons/kyso.svg -o "$stage/usr/share/icons/hicolor/256x256/apps/kyso.png"
  chmod 0644 "$stage/usr/share/icons/hicolor/256x256/apps/kyso.png"
else
  echo "build-deb: rsvg-convert not found, shipping the scalable SVG icon only (package librsvg2-bin adds a PNG)" >&2
fi
install -m 0644 installer/linux/vn.kyso.Kyso.metainfo.xml "$stage/usr/share/metainfo/vn.kyso.Kyso.metainfo.xml"
install -m 0644 assets/fonts/LICENSE-Liberation.txt "$stage/usr/share/doc/kyso/LICENSE-Liberation.txt"
# Machine-readable copyright (DEP-5). The full Apache-2.0 text ships with
# every Debian system (base-files); the font licence is installed in full.
cat > "$stage/usr/share/doc/kyso/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Kyso
Source: https://example.invalid/kyso

Files: *
Copyright: Kyso developers
License: Apache-2.0

Files: usr/bin/*
Copyright: Kyso developers
 Digitized data copyright (c) 2010 Google Corporation with Reserved Font Arimo, Tinos and Cousine.
 Copyright (c) 2012 Red Hat, Inc. with Reserved Font Name Liberation.
License: Apache-2.0 and OFL-1.1
Comment: The binaries embed Liberation Sans (GUI) and Liberation Serif (PDF
 signature appearances) 2.1, unmodified; see
 /usr/share/doc/kyso/LICENSE-Liberation.txt.

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this file except in compliance with the License.
 .
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.

License: OFL-1.1
 This Font Software is licensed under the SIL Open Font License, Version 1.1.
 The full text is in /usr/share/doc/kyso/LICENSE-Liberation.txt.
COPY
chmod 0644 "$stage/usr/share/doc/kyso/copyright"

# Depends from the ELF NEEDED entries (dpkg-shlibdeps, package dpkg-dev);
# without it, the same list ldd/objdump -p show today.
depends="libc6, libgcc-s1"
if command -v dpkg-shlibdeps >/dev/null; then
  printf 'Source: kyso\n\nPackage: kyso\nArchitecture: any\n' > "$build/debian/control"
  computed=$(cd "$build" && dpkg-shlibdeps -O -edebian/kyso/usr/bin/kyso -edebian/kyso/usr/bin/kyso-cli 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
  [ -z "$computed" ] || depends=$computed
  rm -f "$build/debian/control"
fi

cat > "$stage/DEBIAN/control" <<CTRL
Package: kyso
Version: ${version}
Architecture: ${arch}
Maintainer: Kyso developers <kyso@example.invalid>
Section: utils
Priority: optional
Depends: ${depends}
Recommends: libxkbcommon0, libxkbcommon-x11-0, libx11-6 | libwayland-client0, libvulkan1 | libegl1, fonts-liberation2
Suggests: softhsm2, opensc, opensc-pkcs11, p11-kit
Installed-Size: $(du -sk --apparent-size "$stage/usr" | cut -f1)
Homepage: https://example.invalid/kyso
Description: Kyso (ký số) - sign and verify documents with Vietnamese tokens
 Desktop and command-line client that signs PDF files with the PKCS#11 USB
 tokens of the Vietnamese Government CA (PAdES B-B to B-LTA, visible
 signatures per Decree 30/2020), verifies signatures and keeps a
 tamper-evident local journal of every signing and check.
 .
 Kyso là phần mềm ký số và kiểm tra chữ ký số văn bản điện tử bằng USB
 token của Ban Cơ yếu Chính phủ.
CTRL
# Desktop/MIME/icon caches (the triggers of desktop-file-utils and
# hicolor-icon-theme also do this; the scripts cover systems without them).
cat > "$stage/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q /usr/share/applications || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true; fi
fi
exit 0
POST
cat > "$stage/DEBIAN/postrm" <<'POST'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q /usr/share/applications || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true; fi
fi
exit 0
POST
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
out="target/kyso_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
