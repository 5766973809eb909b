#!/usr/bin/env bash
# Kyso's whole test suite, from a fresh Debian/Ubuntu machine with only Rust:
#   bash tests/run.sh
# 1. installs what the tests use when it is missing (needs root or sudo):
#    Debian packages softhsm2, opensc (pkcs11-tool), openssl, poppler-utils
#    (pdfsig), qpdf, libxml2-utils, a Java runtime, Xvfb and the X11 tools
#    (the GUI window test), Chromium with chromedriver and the NSS tools (the
#    e-office bridge in a real browser), and pyHanko from PyPI;
#    prepares the Apache POI oracle of ../shared for the OOXML tests and the
#    iText 5 / PDFBox 2 oracle for the PDF interop and attack matrices;
# 2. checks formatting and clippy;
# 3. runs every test of the workspace (the token tests build their own PKI
#    and SoftHSM tokens in a private temp dir; nothing of the user's is used)
#    with KYSO_REQUIRE_ORACLES=1: a test that would skip for a missing tool,
#    fixture or ../shared fails instead (kyso_testkit::require);
# 4. builds the .deb in release mode, installs, runs, validates and purges it.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v softhsm2-util >/dev/null || need_apt+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_apt+=(opensc)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v pdfsig >/dev/null || need_apt+=(poppler-utils)
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v Xvfb >/dev/null || need_apt+=(xvfb)
command -v xwd >/dev/null || need_apt+=(x11-apps)
command -v xwininfo >/dev/null || need_apt+=(x11-utils)
# The e-office bridge's browser test (headless Chromium over chromedriver)
# and `kyso-cli bridge trust` (certutil of the NSS tools).
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v certutil >/dev/null || need_apt+=(libnss3-tools)
# Other producers' PDFs: LibreOffice exports an NĐ 30 decision written as a
# Word document (the clerk's blanks) and the interop matrix's input.
command -v soffice >/dev/null || need_apt+=(libreoffice-writer-nogui fonts-liberation)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# The OOXML oracle (Apache POI, ../shared/oracles/docx-poi): installed and
# compiled once here, so that parallel tests do not race to set it up.
if [ -f ../shared/oracles/docx-poi/verify ]; then
  bash ../shared/oracles/docx-poi/verify ../shared/corpus/docx/signed.docx >/dev/null \
    || { echo "the POI oracle does not run"; exit 1; }
else
  echo "SKIPPED the POI oracle setup: ../shared is absent"
fi
# The iText 5 / PDFBox 2 oracle (../shared/oracles/pdf-java): its first run
# installs Debian packages and compiles into a cache; done once here too.
if [ -f ../shared/oracles/pdf-java/run ]; then
  out=$(bash ../shared/oracles/pdf-java/run itext5-verify ../shared/corpus/pdf/pades-bes.pdf 2>&1 || true)
  case "$out" in
    *valid=*|*"no signature"*) ;;
    *) echo "the iText 5 / PDFBox oracle does not run: $out"; exit 1 ;;
  esac
else
  echo "SKIPPED the iText 5 / PDFBox oracle setup: ../shared is absent"
fi
if ! command -v pyhanko >/dev/null; then
  echo "installing pyHanko"
  python3 -m pip install -q 'pyhanko[pkcs11,image-support,opentype]' pyhanko-cli 2>/dev/null \
    || python3 -m pip install -q --break-system-packages 'pyhanko[pkcs11,image-support,opentype]' pyhanko-cli
fi

# A one-off build keeps no incremental state (3 GB saved on a fresh
# machine); the disk left is printed so that a full disk shows in the log.
export CARGO_INCREMENTAL=0
df -h . | tail -1
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
export KYSO_REQUIRE_ORACLES=1
cargo test --workspace --locked
df -h . | tail -1
# Packaging: build the .deb, install it, run it, purge it (installer issue).
if command -v dpkg >/dev/null; then
  bash installer/linux/test-deb.sh
else
  echo "SKIPPED the .deb test: dpkg is not available"
fi
