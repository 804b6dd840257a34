#!/usr/bin/env bash
# Wall and CPU time of short CLI calls as a user sees them (issue 16, "fast start"), each with and without the
# launcher's JDK AOT cache (SODEC_AOT=0): the JVM alone (--version); compress of the bundled 451x300 photo
# (0.135 MP) cold, i.e. the first call of a new user (empty SODEC_CACHE: the shipped model is unpacked first), and
# warm (model already unpacked); decompress warm. The first ./sodec call builds the jars and records the AOT cache
# if needed (not timed). Each run waits (up to 90 s) for the CPUs to be idle for two seconds, so other jobs on a
# shared machine do not land in the figures; on a machine that never idles the CPU seconds (user + sys, all
# threads) are the steadier figure. The last case shows the one-thread rule for a single small image (README
# "Start-up") by asking for all cores.
#
#   bench/startup.sh [N]        # default N = 3 runs per case; prints min and median per case
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-3}"
WORK="$(mktemp -d /tmp/sodec-startup.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
IMG="$ROOT/codec/src/main/resources/dev/sodec/demo/chelsea.png"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "startup.sh: needs GNU time at $TIME (Debian package 'time')" >&2; exit 1; }
export SODEC_CACHE="$WORK/cache"
"$ROOT/sodec" --version >/dev/null   # build and record the AOT cache if needed
"$ROOT/sodec" compress "$IMG" -o "$WORK/warm.sdc" >/dev/null   # unpacks the shipped model for the warm cases

# wait_idle: until the CPUs were at least 95% idle over each of the last two seconds (at most 90 s)
wait_idle() {
  local ok=0 a b tot idle k
  for _ in $(seq 1 90); do
    read -ra a < /proc/stat; sleep 1; read -ra b < /proc/stat
    tot=0; for k in 1 2 3 4 5 6 7 8; do tot=$((tot + b[k] - a[k])); done
    idle=$((b[4] - a[4]))
    if [ "$tot" -gt 0 ] && [ $((idle * 100 / tot)) -ge 95 ]; then ok=$((ok + 1)); [ "$ok" -ge 2 ] && return 0; else ok=0; fi
  done
  echo "startup.sh: the machine was not idle for 90 s; timing anyway" >&2
}

# time_case NAME AOT(1|0) COLD(1|0) COMMAND...: N runs; COLD empties the model cache before each run
time_case() {
  local name="$1" aot="$2" cold="$3"; shift 3
  : > "$WORK/times"
  for _ in $(seq 1 "$N"); do
    if [ "$cold" = 1 ]; then export SODEC_CACHE="$WORK/cold-cache"; rm -rf "$SODEC_CACHE"; else export SODEC_CACHE="$WORK/cache"; fi
    wait_idle
    SODEC_AOT="$aot" "$TIME" -f '%e %U %S' -a -o "$WORK/times" "$@" >/dev/null 2>"$WORK/err" \
      || { cat "$WORK/err" >&2; exit 1; }
  done
  local m=$(( (N + 1) / 2 ))
  local w c
  w=$(cut -d' ' -f1 "$WORK/times" | sort -g | awk -v m="$m" 'NR == 1 { lo = $1 } NR == m { md = $1 } END { printf "min %5.2f s median %5.2f s", lo, md }')
  c=$(awk '{ print $2 + $3 }' "$WORK/times" | sort -g | awk -v m="$m" 'NR == 1 { lo = $1 } NR == m { md = $1 } END { printf "min %5.2f s median %5.2f s", lo, md }')
  printf '%-36s wall %s   cpu %s   (%d runs)\n' "$name" "$w" "$c" "$N"
}

# AOT and no-AOT runs of each case one after the other, so a change in the machine's load hits both alike
label() { [ "$1" = 1 ] && echo "AOT cache" || echo "no AOT cache"; }
for aot in 1 0; do time_case "--version, $(label $aot)" "$aot" 0 "$ROOT/sodec" --version; done
for aot in 1 0; do time_case "compress 451x300 cold, $(label $aot)" "$aot" 1 "$ROOT/sodec" compress "$IMG" -o "$WORK/a.sdc"; done
for aot in 1 0; do time_case "compress 451x300 warm, $(label $aot)" "$aot" 0 "$ROOT/sodec" compress "$IMG" -o "$WORK/a.sdc"; done
for aot in 1 0; do time_case "decompress 451x300 warm, $(label $aot)" "$aot" 0 "$ROOT/sodec" decompress "$WORK/warm.sdc" -o "$WORK/a.png"; done
time_case "compress 451x300 warm, --threads 0" 1 0 "$ROOT/sodec" compress "$IMG" -o "$WORK/a.sdc" --threads 0
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
