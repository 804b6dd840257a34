#!/usr/bin/env bash
# Wall time of short CLI calls, as a user sees them (issue 16, "fast start"): the JVM alone (--version), and
# compress / decompress of the bundled 451x300 photo (0.135 MP) with the default model, each run N times.
# Run on an idle machine; the first call builds the jars if needed (not timed).
#
#   bench/startup.sh [N]        # default N = 5; prints min and median seconds per case
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
WORK="$(mktemp -d /tmp/sodec-startup.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
IMG="$ROOT/codec/src/main/resources/dev/sodec/demo/chelsea.png"
"$ROOT/sodec" --version >/dev/null   # build if needed, and unpack nothing
"$ROOT/sodec" compress "$IMG" -o "$WORK/warm.sdc" >/dev/null   # unpacks the shipped model into the cache once

time_case() { # name, command...
  local name="$1"; shift
  local times=()
  for _ in $(seq 1 "$N"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v name="$name" -v n="$N" \
    '{ v[NR] = $1 } END { printf "%-28s min %6.2f s   median %6.2f s   (%d runs)\n", name, v[1], v[int((n + 1) / 2)], n }'
}

time_case "--version (JVM start)" "$ROOT/sodec" --version
time_case "compress 451x300" "$ROOT/sodec" compress "$IMG" -o "$WORK/a.sdc"
time_case "decompress 451x300" "$ROOT/sodec" decompress "$WORK/a.sdc" -o "$WORK/a.png"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
