#!/usr/bin/env bash
# Packaging test (CI, run by tests/run.sh): builds the release binaries and
# the .deb, installs it, runs the installed CLI, validates the desktop entry
# and the AppStream metainfo, purges the package and checks that nothing it
# installed is left behind. Idempotent (an earlier install is upgraded, then
# purged); needs root or sudo for dpkg. Exits non-zero with a message on the
# first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
step() { echo "test-deb: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

module=/usr/lib/softhsm/libsofthsm2.so
need_apt=()
command -v desktop-file-validate >/dev/null || need_apt+=(desktop-file-utils)
command -v python3 >/dev/null || need_apt+=(python3)
[ -e "$module" ] || need_apt+=(softhsm2)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "installing ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 1. binaries, with the release settings minus LTO (profile package-test in
#    Cargo.toml: this test checks the package, and CI time matters)
cargo build --profile package-test --locked -p kyso -p kyso-cli || fail "cargo build --profile package-test"
# 2. the .deb, into target/
deb=$(KYSO_BIN_DIR=target/package-test bash installer/linux/build-deb.sh) || fail "build-deb.sh"
[ -f "$deb" ] || fail "build-deb.sh did not produce $deb"
step "built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n 's/^ \(Depends\|Recommends\|Suggests\):/  \1:/p'

desktop-file-validate installer/linux/kyso.desktop || fail "installer/linux/kyso.desktop is not a valid desktop entry"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net installer/linux/vn.kyso.Kyso.metainfo.xml >/dev/null \
    || fail "AppStream metainfo invalid (appstreamcli validate --no-net installer/linux/vn.kyso.Kyso.metainfo.xml)"
fi

# 3. install (missing dependencies: let apt fetch them, then retry)
if ! as_root dpkg -i "$deb" >/dev/null; then
  step "dpkg -i failed, fixing dependencies with apt-get -f install"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq >/dev/null || fail "apt-get -f install"
  as_root dpkg -i "$deb" >/dev/null || fail "dpkg -i $deb"
fi
[ "$(dpkg-query -W -f '${Status}' kyso 2>/dev/null)" = "install ok installed" ] || fail "kyso is not installed after dpkg -i"

# 4. run the installed CLI
version=$(/usr/bin/kyso-cli --version) || fail "/usr/bin/kyso-cli --version exited non-zero"
case "$version" in kyso-cli\ *) step "installed $version" ;; *) fail "unexpected kyso-cli --version output: $version" ;; esac
[ -x /usr/bin/kyso ] || fail "/usr/bin/kyso missing or not executable"
# An empty SoftHSM token directory: the module loads, no token is present.
mkdir -p "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" > "$tmp/softhsm2.conf"
set +e
SOFTHSM2_CONF="$tmp/softhsm2.conf" KYSO_DATA_DIR="$tmp/data" \
  /usr/bin/kyso-cli tokens --module "$module" --json > "$tmp/tokens.json" 2> "$tmp/tokens.err"
code=$?
set -e
# 0: tokens found; 3: no token (the documented exit code) — both fine here.
[ "$code" = 0 ] || [ "$code" = 3 ] || { cat "$tmp/tokens.err" >&2; fail "kyso-cli tokens --json exited $code (expected 0 or 3)"; }
python3 - "$tmp/tokens.json" <<'PY' || fail "kyso-cli tokens --json: output is not the expected JSON (see above)"
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"not JSON: {e}")
assert isinstance(d, dict) and isinstance(d.get("modules"), list) and d["modules"], f'no "modules" list: {d!r}'
assert d["modules"][0].get("loaded") is True, f"SoftHSM module not loaded: {d!r}"
PY
step "kyso-cli tokens --json: exit $code, JSON has \"modules\""

# 5. the installed desktop entry
[ -f /usr/share/applications/kyso.desktop ] || fail "/usr/share/applications/kyso.desktop not installed"
desktop-file-validate /usr/share/applications/kyso.desktop || fail "installed kyso.desktop is invalid"

# 6. purge; every file of the package must be gone
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|' | grep -v '/$' > "$tmp/files"
[ -s "$tmp/files" ] || fail "no files listed in $deb"
as_root dpkg --purge kyso >/dev/null || fail "dpkg --purge kyso"
left=0
while IFS= read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then echo "test-deb: left behind after purge: $f" >&2; left=1; fi
done < "$tmp/files"
[ "$left" = 0 ] || fail "files left behind after dpkg --purge kyso"
[ ! -e /usr/share/applications/kyso.desktop ] || fail "/usr/share/applications/kyso.desktop left behind"
[ ! -e /usr/share/doc/kyso ] || fail "/usr/share/doc/kyso left behind"
if dpkg-query -W -f '${Status}' kyso >/dev/null 2>&1; then
  fail "package kyso still known to dpkg after purge: $(dpkg-query -W -f '${Status}' kyso)"
fi
step "ok: built, installed, ran, validated and purged cleanly ($(wc -l < "$tmp/files") files removed)"
