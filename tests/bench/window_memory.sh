#!/usr/bin/env bash
# What the window costs, and what closing it gives back: USS and PSS of the app and of each
# WebKit child, before the window first opens, with it open, after a window manager's close
# (WM_DELETE_WINDOW, as a person closes it), and after a second open and close. Not a test:
# it prints figures. Runs the demo and an account-less start.
#
#   bash tests/bench/window_memory.sh                      # release build, from the root
#   DOORPOST_BIN=target/debug/doorpost bash tests/bench/window_memory.sh
#
# SETTLE (seconds, default 10) is the wait before each reading.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${DOORPOST_DESKTOP_SESSION_DIR:-}" ]; then
  if [ -z "${DOORPOST_BIN:-}" ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build) >/dev/null
    cargo build --release --locked -p doorpost
  fi
  exec bash tests/desktop/session.sh -- bash "$0" "$@"
fi

bin="${DOORPOST_BIN:-${CARGO_TARGET_DIR:-target}/release/doorpost}"
settle="${SETTLE:-10}"
py="${DOORPOST_PYTHON:-/usr/bin/python3}"

# The process and its descendants, one per line.
tree() {
  local queue=("$1") p c
  while [ "${#queue[@]}" -gt 0 ]; do
    p="${queue[0]}"; queue=("${queue[@]:1}")
    [ -r "/proc/$p/smaps_rollup" ] || continue
    echo "$p"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do queue+=("$c"); done
  done
}

# One table row per process: state, name, USS, PSS and anonymous memory (the heap and
# other memory no file backs) in MiB; then the tree's total. USS and PSS count the pages of
# libraries too, which the kernel drops and reloads as the page cache needs: they move
# with what else runs on the machine. Anonymous memory does not.
report() {
  local state="$1" app="$2" p name uss pss anon tu=0 tp=0 ta=0
  for p in $(tree "$app"); do
    name=$(cat "/proc/$p/comm")
    read -r uss pss anon < <(awk '/^Pss:/ {pss=$2} /^Private_(Clean|Dirty):/ {uss+=$2}
      /^Anonymous:/ {anon=$2} END {print uss+0, pss+0, anon+0}' "/proc/$p/smaps_rollup")
    tu=$((tu + uss)); tp=$((tp + pss)); ta=$((ta + anon))
    printf '| %s | %s | %s | %s | %s |\n' "$state" "$name" "$(mib "$uss")" "$(mib "$pss")" "$(mib "$anon")"
  done
  printf '| %s | **tree** | %s | %s | %s |\n' "$state" "$(mib "$tu")" "$(mib "$tp")" "$(mib "$ta")"
}

mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

visible() { xdotool search --onlyvisible --name '^Doorpost$' >/dev/null 2>&1; }

wait_for() {
  local what="$1"; shift
  for _ in $(seq 200); do "$@" && return 0; sleep 0.1; done
  echo "window_memory.sh: timed out waiting for $what" >&2
  return 1
}

open_window() {
  # A second launch brings the running one forward (and opens its window).
  DOORPOST_DATA_DIR="$data" "$bin" "$@" 2>/dev/null
  wait_for "the window" visible
}

close_window() {
  "$py" tests/desktop/wm_close.py Doorpost >/dev/null
  wait_for "the window to close" bash -c '! xdotool search --onlyvisible --name "^Doorpost$" >/dev/null 2>&1'
}

echo "| state | process | USS MiB | PSS MiB | anonymous MiB |"
echo "|---|---|---|---|---|"
for mode in demo account-less; do
  flags=()
  [ "$mode" = demo ] && flags=(--demo)
  data="$DOORPOST_DESKTOP_SESSION_DIR/data-$mode"
  DOORPOST_DATA_DIR="$data" "$bin" --hidden "${flags[@]}" 2>"$DOORPOST_DESKTOP_SESSION_DIR/$mode.log" &
  app=$!
  sleep "$settle"; report "$mode: before the window first opens" "$app"
  open_window "${flags[@]}"; sleep "$settle"; report "$mode: open" "$app"
  close_window; sleep "$settle"; report "$mode: closed" "$app"
  open_window "${flags[@]}"; sleep "$settle"; report "$mode: open again" "$app"
  close_window; sleep "$settle"; report "$mode: closed again" "$app"
  kill "$app"; wait "$app" 2>/dev/null || true
done
