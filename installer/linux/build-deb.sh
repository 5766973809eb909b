#!/usr/bin/env bash
# Builds target/kyso_<version>_<arch>.deb from the release binaries.
#   cargo build --release --locked -p kyso -p kyso-cli
#   bash installer/linux/build-deb.sh
# Prints the path of the .deb on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
arch=$(dpkg --print-architecture)
for bin in kyso kyso-cli; do
  [ -x "target/release/$bin" ] || { echo "missing target/release/$bin: build it first" >&2; exit 1; }
done
stage="target/deb/kyso_${version}_${arch}"
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/metainfo" "$stage/usr/share/doc/kyso"
install -m 0755 target/release/kyso target/release/kyso-cli "$stage/usr/bin/"
install -m 0644 installer/linux/kyso.desktop "$stage/usr/share/applications/kyso.desktop"
install -m 0644 assets/icons/kyso.svg "$stage/usr/share/icons/hicolor/scalable/apps/kyso.svg"
install -m 0644 installer/linux/vn.kyso.Kyso.metainfo.xml "$stage/usr/share/metainfo/vn.kyso.Kyso.metainfo.xml"
install -m 0644 assets/fonts/LICENSE-Liberation.txt "$stage/usr/share/doc/kyso/LICENSE-Liberation.txt"
cat > "$stage/usr/share/doc/kyso/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: kyso

Files: *
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.

Files: usr/bin/*
Comment: The binaries embed Liberation Sans and Liberation Serif 2.1
 (SIL Open Font License 1.1), see LICENSE-Liberation.txt.
COPY
# Shared libraries the binaries link (the GUI loads X11/Wayland/GL at run time).
depends="libc6, libgcc-s1"
cat > "$stage/DEBIAN/control" <<CTRL
Package: kyso
Version: ${version}
Architecture: ${arch}
Maintainer: Kyso developers <kyso@example.invalid>
Section: utils
Priority: optional
Depends: ${depends}
Recommends: libxkbcommon0, libx11-6 | libwayland-client0, libgl1 | libvulkan1, fonts-liberation2
Suggests: softhsm2, opensc, p11-kit
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Homepage: https://example.invalid/kyso
Description: Kyso (ký số) - sign and verify documents with Vietnamese government tokens
 Desktop and command-line client that signs PDF files with PKCS#11 USB
 tokens (PAdES B-B to B-LTA, visible signatures per Decree 30/2020),
 verifies signatures and keeps a tamper-evident local journal.
CTRL
cat > "$stage/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
exit 0
POST
cat > "$stage/DEBIAN/postrm" <<'POST'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
fi
exit 0
POST
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
out="target/kyso_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$out" >/dev/null
echo "$out"
