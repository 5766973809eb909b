#!/usr/bin/env bash
# Packaging test (CI): build the .deb, install it, run the installed CLI,
# validate the .desktop entry, purge, and check nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "test-deb: $*" >&2; exit 1; }

command -v desktop-file-validate >/dev/null || {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq desktop-file-utils >/dev/null
}
cargo build --release --locked -p kyso -p kyso-cli
deb=$(bash installer/linux/build-deb.sh)
echo "built $deb ($(du -h "$deb" | cut -f1))"

desktop-file-validate installer/linux/kyso.desktop || fail ".desktop entry invalid"
as_root dpkg -i "$deb" >/dev/null || { as_root apt-get -f install -y -qq >/dev/null; as_root dpkg -i "$deb" >/dev/null; }

/usr/bin/kyso-cli --version | grep -q '^kyso-cli ' || fail "kyso-cli --version"
tmp=$(mktemp -d)
mkdir -p "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' "$tmp" > "$tmp/softhsm2.conf"
set +e
SOFTHSM2_CONF="$tmp/softhsm2.conf" KYSO_DATA_DIR="$tmp/data" /usr/bin/kyso-cli tokens --module /usr/lib/softhsm/libsofthsm2.so --json > "$tmp/tokens.json"
code=$?
set -e
[ "$code" = 0 ] || [ "$code" = 3 ] || fail "kyso-cli tokens exited $code"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["modules"][0]["loaded"], d' "$tmp/tokens.json" || fail "tokens JSON"
desktop-file-validate /usr/share/applications/kyso.desktop || fail "installed .desktop invalid"

files=$(dpkg -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$')
as_root dpkg --purge kyso >/dev/null
for f in $files; do
  [ ! -e "$f" ] || fail "left behind after purge: $f"
done
dpkg -s kyso >/dev/null 2>&1 && fail "package still registered"
rm -rf "$tmp"
echo "test-deb: ok (installed, ran, validated, purged cleanly)"
