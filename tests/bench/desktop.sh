#!/usr/bin/env bash
# Desktop benchmarks of the release app, inside a private desktop session. Not a test:
# it prints figures.
#
#   bash tests/bench/desktop.sh            # from the repository root
#
# Measures: release binary size; cold start to tray ready (the StatusNotifierItem is
# registered); whole-process-tree PSS with the window closed (tray only) and open; idle CPU
# with the window closed, over IDLE_SECS (default 120) scaled to an hour. The app syncs an
# account on the fake Parakey (a separate process, not counted) at the default 5-minute
# interval, as a host's Doorpost would; the demo, which checks every minute and simulates
# Parakey in-process, is measured too.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${DOORPOST_DESKTOP_SESSION_DIR:-}" ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build) >/dev/null
  cargo build --release --locked -p doorpost
  cargo build --release --locked -p doorpost-sim --features testing --bin fake-parakey
  exec bash tests/desktop/session.sh -- bash "$0" "$@"
fi

bin=target/release/doorpost
idle_secs="${IDLE_SECS:-120}"
export DOORPOST_DATA_DIR="$DOORPOST_DESKTOP_SESSION_DIR/bench-data"

# The fake Parakey with a week of a busy short-let, in its own process.
fifo="$DOORPOST_DESKTOP_SESSION_DIR/fake.out"; mkfifo "$fifo"
target/release/fake-parakey --demo --live-interval 600 --token bench-token >"$fifo" 2>/dev/null &
fake=$!
read -r first <"$fifo"
cat "$fifo" >/dev/null &
export DOORPOST_API_URL="${first#listening on }" DOORPOST_TOKEN=bench-token
trap 'kill $fake 2>/dev/null || true' EXIT

# PSS of a process and all its descendants, in KiB.
tree_pss() {
  local pids total=0 p
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $(pgrep -P "$1"); do pids="$pids $(pgrep -P "$p" | tr '\n' ' ')"; done
  for p in $pids; do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")))
  done
  echo "$total"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

size_mb=$(awk -v b="$(stat -c %s "$bin")" 'BEGIN {printf "%.1f", b / 1000000}')

# Cold start to tray ready, window closed.
: >"$DOORPOST_TRAY_LOG"
start_ns=$(date +%s%N)
"$bin" --hidden 2>/dev/null &
app=$!
for _ in $(seq 300); do
  grep -q . "$DOORPOST_TRAY_LOG" 2>/dev/null && break
  sleep 0.01
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep 10
closed_pss=$(tree_pss "$app")
t0=$(cpu_ticks "$app")
sleep "$idle_secs"
t1=$(cpu_ticks "$app")
hz=$(getconf CLK_TCK)
cpu_per_hour=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$idle_secs" 'BEGIN {printf "%.2f", d / hz * 3600 / s}')
kill "$app"; wait "$app" 2>/dev/null || true

# Window open.
"$bin" 2>/dev/null &
app=$!
sleep 15
open_pss=$(tree_pss "$app")
kill "$app"; wait "$app" 2>/dev/null || true

# The demo, tray only: the simulated Parakey runs inside the app.
"$bin" --hidden --demo 2>/dev/null &
app=$!
sleep 15
demo_pss=$(tree_pss "$app")
kill "$app"; wait "$app" 2>/dev/null || true

mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
echo "| figure | measured | goal |"
echo "|---|---|---|"
echo "| release binary | ${size_mb} MB | ≤ 15 MB |"
echo "| cold start to tray ready | ${ready_ms} ms | ≤ 1000 ms |"
echo "| PSS, window closed (tray only) | $(mib "$closed_pss") MiB | ≤ 60 MiB |"
echo "| PSS, window open | $(mib "$open_pss") MiB | ≤ 200 MiB |"
echo "| PSS, demo, window closed | $(mib "$demo_pss") MiB | (no goal) |"
echo "| idle CPU, window closed | ${cpu_per_hour} CPU-s/hour (sampled over ${idle_secs} s) | ≤ 1 CPU-s/hour |"
