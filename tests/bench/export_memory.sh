#!/usr/bin/env bash
# What an export costs in memory: the peak resident set (VmHWM, via /usr/bin/time) of
# `doorpost export` writing a 1,000,000-row history, against the same command writing
# about 1,400 rows of it (one day). A streamed export's peak does not grow with the
# history; one built in memory grows by hundreds of MiB. The store's page cache (64 MiB,
# `CACHE_KIB` in store/open.rs) fills as the export reads: that is the bound, not the
# rows. Not a test: it prints figures.
#
#   bash tests/bench/export_memory.sh                       # debug build, from the root
#   DOORPOST_BIN=target/release/doorpost bash tests/bench/export_memory.sh
#
# The history is the history bench's (`cargo bench --bench history`, which fills it in
# about two minutes and times its pages on the way).
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
bin="${DOORPOST_BIN:-$target/debug/doorpost}"
[ -n "${DOORPOST_BIN:-}" ] || cargo build --locked -p doorpost
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt install time)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
mkdir -m 700 "$data"
BENCH_KEEP_DB="$data" cargo bench --locked -p doorpost-engine --bench history >/dev/null

# Runs one export; prints "rows peak-KiB seconds".
measure() {
  local rows
  rows="$(DOORPOST_DATA_DIR="$data" /usr/bin/time -o "$work/time" -f '%M %e' \
    "$bin" export --format csv "$@" | wc -l)"
  echo "$((rows - 1)) $(cat "$work/time")"
}

printf '%-28s %10s %12s %9s\n' "export" "rows" "peak MiB" "seconds"
read -r rows kib secs < <(measure --since 2026-05-31 --until 2026-06-01)
printf '%-28s %10s %12.1f %9s\n' "one day" "$rows" "$(awk "BEGIN { print $kib / 1024 }")" "$secs"
read -r rows kib secs < <(measure --since 2025-06-01)
printf '%-28s %10s %12.1f %9s\n' "the last half" "$rows" "$(awk "BEGIN { print $kib / 1024 }")" "$secs"
read -r rows kib secs < <(measure)
printf '%-28s %10s %12.1f %9s\n' "the whole history" "$rows" "$(awk "BEGIN { print $kib / 1024 }")" "$secs"
