#!/usr/bin/env bash
# Runs a command inside a private, headless Linux desktop session:
#
#   tests/desktop/session.sh -- <command...>
#
# The command gets, all private to this run and gone when it ends:
#   - HOME and XDG_{CONFIG,DATA,CACHE,STATE,RUNTIME}_* under a temp dir (set before the bus
#     starts, because services the bus activates inherit the bus's environment, not ours);
#     CARGO_HOME and RUSTUP_HOME keep pointing at the real ones, so cargo still works;
#   - an X server (Xvfb, on a display it picks itself) in DISPLAY;
#   - a D-Bus session bus (dbus-run-session) in DBUS_SESSION_BUS_ADDRESS;
#   - gnome-keyring's Secret Service, its login keyring unlocked with the password in
#     DOORPOST_KEYRING_PASSWORD;
#   - a notification daemon that records every Notify call as a JSON line in
#     DOORPOST_NOTIFY_LOG, and "clicks" on request (see notification_recorder.py);
#   - a StatusNotifierWatcher that records tray items in DOORPOST_TRAY_LOG (see
#     status_notifier_watcher.py);
#   - DOORPOST_DESKTOP_SESSION_DIR: the temp dir, for logs the command wants to keep beside;
#   - DOORPOST_PYTHON: a Python with the dbus and gi modules, to start more test daemons.
#
# The script exits with the command's exit code. Every process it started is stopped on
# exit, including on Ctrl-C or SIGTERM. DOORPOST_KEEP_SESSION=1 keeps the temp dir (its
# path is printed) to read the daemons' logs after a failure.
#
# Needs (Debian names): xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools dunst
# python3-gi python3-dbus at-spi2-core. Works as root, with no X or D-Bus running.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  echo "usage: $0 -- <command...>" >&2
  exit 2
}

# Waits until NAME has an owner on the session bus, or fails after about 10 s.
wait_for_name() {
  local name="$1" log="$2"
  for _ in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner "string:$name" 2>/dev/null | grep "boolean true" >/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "session.sh: $name did not appear on the session bus; its log ($log):" >&2
  cat "$log" >&2 || true
  return 1
}

# Phase two, run by dbus-run-session: the services that need the bus, then the command.
inside() {
  local dir="$1"
  shift
  [ "${1:-}" = "--" ] && shift

  # The Debian python3-dbus and python3-gi belong to the system Python, which a pyenv or
  # venv earlier in PATH hides.
  local python
  for python in /usr/bin/python3 python3 ""; do
    [ -n "$python" ] || break
    "$python" -c 'import dbus, gi' 2>/dev/null && break
  done
  if [ -z "$python" ]; then
    echo "session.sh: no Python with the dbus and gi modules; apt-get install python3-dbus python3-gi" >&2
    exit 2
  fi

  local pids=()
  stop_services() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  }
  trap stop_services EXIT

  # --unlock reads the password from stdin and creates the login keyring with it the first
  # time; --foreground keeps the daemon our child, so we can stop it by its pid.
  printf '%s' "$DOORPOST_KEYRING_PASSWORD" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$dir/keyring.log" 2>&1 &
  pids+=($!)
  wait_for_name org.freedesktop.secrets "$dir/keyring.log"

  "$python" "$here/notification_recorder.py" "$dir/notify.ready" >"$dir/notify.log" 2>&1 &
  pids+=($!)
  "$python" "$here/status_notifier_watcher.py" "$dir/tray.ready" >"$dir/tray.log" 2>&1 &
  pids+=($!)
  wait_for_name org.freedesktop.Notifications "$dir/notify.log"
  wait_for_name org.kde.StatusNotifierWatcher "$dir/tray.log"

  export DOORPOST_PYTHON="$python"
  local rc=0
  "$@" || rc=$?
  exit "$rc"
}

if [ "${1:-}" = "--inside" ]; then
  shift
  inside "$@"
fi

[ "${1:-}" = "--" ] || usage
shift
[ $# -gt 0 ] || usage

for tool in Xvfb dbus-run-session dbus-send gnome-keyring-daemon python3 setsid; do
  if ! command -v "$tool" >/dev/null; then
    echo "session.sh: $tool is missing. Install: apt-get install xvfb xauth dbus dbus-x11" \
      "gnome-keyring libsecret-tools dunst python3-gi python3-dbus at-spi2-core" >&2
    exit 2
  fi
done

session_dir="$(mktemp -d "${TMPDIR:-/tmp}/doorpost-desktop.XXXXXX")"
xvfb_pid=""
child=""
pgid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # The session runs in its own process group (setsid), whose id is the child's pid: stop
  # whatever is left of it (the command's strays, even stopped ones) together.
  if [ -n "$pgid" ]; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    [ -n "$child" ] && wait "$child" 2>/dev/null || true
    for _ in $(seq 20); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  if [ "${DOORPOST_KEEP_SESSION:-}" = 1 ]; then
    echo "session.sh: kept $session_dir" >&2
  else
    rm -rf "$session_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$session_dir/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state"
export XDG_RUNTIME_DIR="$session_dir/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export XDG_SESSION_TYPE=x11
export DOORPOST_DESKTOP_SESSION_DIR="$session_dir"
export DOORPOST_NOTIFY_LOG="$session_dir/notifications.jsonl"
export DOORPOST_TRAY_LOG="$session_dir/tray.jsonl"
export DOORPOST_KEYRING_PASSWORD="${DOORPOST_KEYRING_PASSWORD:-doorpost-test}"

# -displayfd: Xvfb picks a free display itself and writes its number once it accepts
# clients, so parallel sessions never race for one.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp \
  3>"$session_dir/display" >"$session_dir/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
  [ -s "$session_dir/display" ] && break
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "session.sh: Xvfb failed to start:" >&2
    cat "$session_dir/xvfb.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$session_dir/display" ]; then
  echo "session.sh: Xvfb did not report a display within 10 s" >&2
  exit 1
fi
export DISPLAY=":$(tr -d '[:space:]' <"$session_dir/display")"

# In the background, in its own process group, so a signal to this script can stop the
# whole session; stdin is passed on explicitly (a background job's would be /dev/null).
setsid dbus-run-session -- bash "$here/session.sh" --inside "$session_dir" -- "$@" <&0 &
child=$!
pgid=$child
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
