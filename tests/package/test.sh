#!/usr/bin/env bash
# The real package, as a host gets it: builds the .deb (from the debug build, to keep CI
# quick; `.ci/package` makes the release one the same way), checks what it holds, installs
# it with apt-get, runs `doorpost --version` and `doorpost doctor`, starts it from its
# desktop entry with gtk-launch, checks its window's WM_CLASS, its tray item and that a
# toast carries the desktop-entry hint, quits it from the tray, purges the package and
# checks nothing of it is left outside the user's data directory.
#
# Needs root (apt-get and dpkg change the system) and the private desktop session:
#   bash tests/desktop/session.sh -- bash tests/package/test.sh
# `.ci/test` runs it so. Prints a line per check and "package: N passed, N failed".
# DOORPOST_DEB=target/debian/doorpost_0.1.0-1_amd64.deb tests that package instead (the
# release one from `bash .ci/package`).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
here=tests/package
app_id=co.doorpost.app
python="${DOORPOST_PYTHON:-/usr/bin/python3}"

if [ -z "${DOORPOST_NOTIFY_LOG:-}" ]; then
  echo "package test: run it inside tests/desktop/session.sh (see the top of $0)" >&2
  exit 2
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then
    echo "package test: needs root or password-less sudo to install the package" >&2
    exit 2
  fi
  sudo="sudo -n"
fi

passed=0
pass() {
  passed=$((passed + 1))
  echo "ok   [${SECONDS}s] $*"
}
fail() {
  echo "FAIL $*" >&2
  echo "package: $passed passed, 1 failed"
  exit 1
}

# The test installs and purges the package: never on a machine that has Doorpost installed.
if dpkg-query -W -f='${Status}' doorpost 2>/dev/null | grep installed >/dev/null; then
  echo "package test: doorpost is installed here, and this test would purge it. Remove it" \
    "(apt-get purge doorpost) to run the test." >&2
  exit 2
fi

fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  # Never leave the package installed, whatever failed.
  if dpkg-query -W -f='${Status}' doorpost 2>/dev/null | grep installed >/dev/null; then
    $sudo apt-get purge -y -qq doorpost >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Paths under the system's directories whose name mentions doorpost (this checkout and the
# test's session aside).
system_traces() {
  find /usr /etc /opt /var /srv \( -path "$repo" -o -path "$DOORPOST_DESKTOP_SESSION_DIR" \) \
    -prune -o -ipath '*doorpost*' -print 2>/dev/null | LC_ALL=C sort
}
# Every path under the system's directories, but the package manager's own records.
system_paths() {
  find /usr /etc /opt /var /srv \
    \( -path "$repo" -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache \
    -o -path /var/log -o -path /var/tmp \) -prune -o -print 2>/dev/null | LC_ALL=C sort
}

# --- the package --------------------------------------------------------------------------
deb="${DOORPOST_DEB:-$(bash .ci/package --debug | tail -n 1)}"
[ -f "$deb" ] || fail "no package at $deb"
pass "built $deb ($(du -h "$deb" | cut -f1))"

[ "$(dpkg-deb -f "$deb" Package)" = doorpost ] && [ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] ||
  fail "the package is not doorpost for amd64"
# A package with the test hooks must say so; a release one must not.
testing=no
case "$(dpkg-deb -f "$deb" Version)" in *+testing) testing=yes ;; esac
described_testing=no
dpkg-deb -f "$deb" Description | grep -q 'TESTING BUILD, NOT FOR USE' && described_testing=yes
[ "$testing" = "$described_testing" ] ||
  fail "version $(dpkg-deb -f "$deb" Version) and description disagree on a testing build"
[ -n "${DOORPOST_DEB:-}" ] || [ "$testing" = yes ] ||
  fail "the package test's build has the test hooks but its version does not say +testing"
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libdbus-1-3; do
  grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
pass "doorpost for amd64; depends on WebKitGTK, GTK, appindicator, D-Bus (Secret Service)"

contents="$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')"
for f in /usr/bin/doorpost /usr/share/applications/$app_id.desktop \
  /usr/share/metainfo/$app_id.metainfo.xml; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
for size in 16 24 32 48 64 128 256 512; do
  grep -qx "/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png" <<<"$contents" ||
    fail "the package lacks the ${size}x${size} icon"
done
if dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -Eq 'inst|rm$'; then
  fail "the package has maintainer scripts: installing must write only the package's files"
fi
unpacked="$(mktemp -d)"
dpkg-deb -x "$deb" "$unpacked"
desktop-file-validate "$unpacked/usr/share/applications/$app_id.desktop" ||
  fail "desktop-file-validate rejects the desktop entry"
appstreamcli validate --no-net --pedantic "$unpacked/usr/share/metainfo/$app_id.metainfo.xml" \
  >/dev/null || fail "appstreamcli validate rejects the metainfo"
rm -rf "$unpacked"
pass "binary, desktop entry, 8 icon sizes, metainfo; both validate; no maintainer scripts"

# --- install ------------------------------------------------------------------------------
[ -z "$(system_traces)" ] || fail "doorpost files before install: $(system_traces)"
before="$(mktemp)"
system_paths >"$before"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "./$deb" \
  >/dev/null
owned="$(dpkg -L doorpost | LC_ALL=C sort)"
# Triggers of other packages (icon and desktop-entry caches) may refresh their own caches.
new="$(system_paths | LC_ALL=C comm -13 "$before" - | LC_ALL=C comm -23 - <(echo "$owned") |
  grep -Ev '/(icon-theme|mimeinfo)\.cache$' || true)"
rm -f "$before"
[ -z "$new" ] || fail "installing wrote files the package does not own: $new"
[ "$(command -v doorpost)" = /usr/bin/doorpost ] || fail "doorpost is not /usr/bin/doorpost"
pass "apt-get install ./$(basename "$deb"): only the package's own files were written"

version="$(doorpost --version)"
flavour=""
[ "$testing" = yes ] && flavour="; testing build, not for use"
want="doorpost $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1) (commit $(git rev-parse --short=12 HEAD)$flavour)"
[ "$version" = "$want" ] || fail "doorpost --version says '$version', not '$want'"
pass "doorpost --version: $version"

# A fake Parakey with live unlocks (the demo's place), on loopback.
cargo build --locked -q -p doorpost-sim --features testing --bin fake-parakey
fake_out="$(mktemp)"
"${CARGO_TARGET_DIR:-target}/debug/fake-parakey" --demo --live-interval 1 --token package-test-token >"$fake_out" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$fake_out" && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$fake_out" | head -n 1)"
[ -n "$url" ] || fail "fake-parakey did not start: $(cat "$fake_out")"
export DOORPOST_TOKEN=package-test-token DOORPOST_API_URL="$url" DOORPOST_TEST_INTERVAL_MS=500

doctor="$(doorpost doctor)" || fail "doorpost doctor: $doctor"
data_dir="$(sed -n 's/^\[ok  \] data directory \(.*\) is writable$/\1/p' <<<"$doctor")"
[ -n "$data_dir" ] || fail "doorpost doctor names no data directory: $doctor"
pass "doorpost doctor: $(tail -n 1 <<<"$doctor")"

# --- run it as the desktop would ----------------------------------------------------------
gtk-launch "$app_id" || fail "gtk-launch $app_id failed"
pid=""
for _ in $(seq 100); do
  pid="$(pgrep -n -x -s 0 doorpost || true)"
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || fail "gtk-launch $app_id started no doorpost"
[ "$(readlink "/proc/$pid/exe")" = /usr/bin/doorpost ] || fail "the running doorpost is not the installed one"
pass "gtk-launch $app_id started /usr/bin/doorpost (pid $pid)"

# By title: GDK's hidden client-leader window has the same pid.
window=""
for _ in $(seq 200); do
  window="$(xdotool search --onlyvisible --pid "$pid" --name '^Doorpost$' 2>/dev/null | head -n 1 || true)"
  [ -n "$window" ] && break
  sleep 0.2
done
[ -n "$window" ] || fail "no window of pid $pid showed"
wm_class="$(xprop -id "$window" WM_CLASS)"
[ "$wm_class" = "WM_CLASS(STRING) = \"$app_id\", \"$app_id\"" ] ||
  fail "the window's $wm_class does not match $app_id.desktop"
pass "its window's WM_CLASS is $app_id, as the desktop entry's StartupWMClass says"

"$python" "$here/check.py" tray "$pid" >/dev/null || fail "no tray item from the installed app"
pass "its tray item registered"

# A debug build checks every half second here; a release build checks when asked, once
# the fake has had time for a fresh unlock.
sleep 2
doorpost refresh >/dev/null 2>&1 || true
toast="$("$python" "$here/check.py" toast "$pid" "$app_id")" || fail "no toast with the desktop-entry hint"
pass "a toast carries desktop-entry=$app_id: $(cut -c1-160 <<<"$toast")"
mkdir -p target/screenshots
import -window root target/screenshots/package-window.png 2>/dev/null || true

"$python" tests/desktop/tray_menu.py click "Quit" >/dev/null
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "Quit in the tray did not end the installed app"
kill "$fake_pid" 2>/dev/null || true
fake_pid=""
pass "Quit from the tray ended it"

# --- purge --------------------------------------------------------------------------------
$sudo apt-get purge -y -qq doorpost >/dev/null
! dpkg-query -W doorpost >/dev/null 2>&1 || fail "dpkg still knows doorpost after purge"
left=""
while read -r f; do
  [ -f "$f" ] || [ -L "$f" ] && left+="$f "
done <<<"$owned"
[ -z "$left" ] || fail "purge left package files: $left"
[ -z "$(system_traces)" ] || fail "purge left: $(system_traces)"
strays="$(cd "$HOME" && find . -path "./${data_dir#"$HOME"/}" -prune -o -print | grep -i doorpost || true)"
[ -z "$strays" ] || fail "the app left files outside its data directory $data_dir: $strays"
pass "apt-get purge: nothing of doorpost left outside $data_dir"

echo "package: $passed passed, 0 failed"
