#!/usr/bin/env bash
# The one-shot GPU check, run inside the bundle bench/gpu/prepare.sh makes (sodec-gpu/run.sh), or from the repository
# with --emulated (the same steps on cuda-emulated at toy sizes, to prove the script here). Every step has its own
# timeout and writes under $OUT (default ./gpu-out); the whole run stays under 7 minutes; summary.txt collects the
# figures. Usage: run.sh [--emulated] [--out DIR]
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EMULATED=0
OUTDIR="${OUT:-$PWD/gpu-out}"
while [ $# -gt 0 ]; do
  case "$1" in
    --emulated) EMULATED=1 ;;
    --out) OUTDIR="$2"; shift ;;
    *) echo "usage: run.sh [--emulated] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUTDIR"
SUMMARY="$OUTDIR/summary.txt"
: > "$SUMMARY"
START=$(date +%s)

# Where things are: inside the bundle (jre/, lib/, test-classes/, golden/) or in a built checkout.
if [ -x "$HERE/jre/bin/java" ]; then
  JAVA="$HERE/jre/bin/java"; CP="$HERE/lib/*"; TESTCP="$HERE/test-classes"; GOLDEN="$HERE/golden"
  JUNIT="$(ls "$HERE"/lib/junit-platform-console-standalone-*.jar)"
else
  ROOT="$(cd "$HERE/../.." && pwd)"
  JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  CP="$ROOT/codec/target/sodec-codec-0.1.0-SNAPSHOT.jar:$ROOT/codec/target/lib/*"
  TESTCP="$ROOT/engine/target/test-classes"; GOLDEN="${SODEC_SHARED:-$ROOT/../shared}/golden"
  JUNIT="$(ls "$HERE"/out/sodec-gpu/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)"
fi
JOPTS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
# the same class path with every jar named (the JUnit launcher does not expand "dir/*")
JARS="$(for e in ${CP//:/ }; do for f in $e; do printf '%s:' "$f"; done; done)"
SODEC=("$JAVA" "${JOPTS[@]}" -cp "$CP" dev.sodec.codec.cli.Main)
if [ $EMULATED -eq 1 ]; then
  BE=cuda-emulated; FILTER=op.,block.,entropy.   # the emulator is slow: models and the pipeline run in the unit tests
else
  BE=cuda; FILTER=op.,block.,model.,pipeline.,entropy.
fi

note() { echo "$*" | tee -a "$SUMMARY"; }
# step NAME SECONDS CMD...: runs CMD with a timeout, output in $OUTDIR/NAME.log, status in the summary
step() {
  local name="$1" secs="$2"; shift 2
  local t0=$(date +%s)
  timeout --kill-after=10 "$secs" "$@" > "$OUTDIR/$name.log" 2>&1
  local rc=$?
  note "step $name: exit $rc in $(( $(date +%s) - t0 )) s (limit $secs s)"
  return 0
}

note "sodec GPU check $(cat "$HERE/COMMIT" 2>/dev/null || echo checkout) on $(hostname), $(date -u +%FT%TZ), backend $BE"

# 1. environment
{
  echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "nvidia-smi: not available"
  echo "== driver"; cat /proc/driver/nvidia/version 2>&1 || true
  echo "== libraries (ldconfig)"; ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcublas|libcublasLt|libcudnn|libnvrtc' || echo "none found"
  echo "== java"; "$JAVA" -version 2>&1
  echo "== cpu"; nproc; grep -m1 'model name' /proc/cpuinfo
} > "$OUTDIR/environment.log" 2>&1
note "$(grep -m1 -E 'Driver Version|not available' "$OUTDIR/environment.log" || true)"

# 2. the GPU JUnit tests (skip themselves without a driver); emulated: the CUDA executor's tests
if [ -n "$JUNIT" ]; then
  if [ $EMULATED -eq 1 ]; then SEL=(--select-class dev.sodec.engine.cuda.CudaProgramTest); else SEL=(--select-class dev.sodec.engine.cuda.CudaGpuTest --select-class dev.sodec.engine.cuda.CudnnGpuTest); fi
  step junit 90 "$JAVA" "${JOPTS[@]}" -jar "$JUNIT" execute --class-path "$TESTCP:$JARS" "${SEL[@]}" --details=summary --disable-banner
  note "  $(grep -E 'tests (successful|failed|skipped)' "$OUTDIR/junit.log" | tr -s ' ' | tr '\n' ';')"
else
  note "step junit: skipped (no JUnit console launcher; run bench/gpu/prepare.sh first)"
fi

# 3. conformance on F32, F16, BF16 storage
for p in "" ":f16" ":bf16"; do
  name="conformance${p/:/_}"
  step "$name" 100 "${SODEC[@]}" conformance "$GOLDEN" --backend "$BE$p" --filter "$FILTER"
  note "  $BE$p: $(tail -2 "$OUTDIR/$name.log" | grep -E 'passed' || echo 'no closing line')"
done

# 4. bench: an SD-size and a OneDC-size random model at 768x512 on a GPU; toy sizes on the emulator
if [ $EMULATED -eq 1 ]; then
  step bench_sd 150 "${SODEC[@]}" bench --backend "$BE" --random tiny --size 64x64 --warmup 0 --runs 1 --json --profile
  cp "$OUTDIR/bench_sd.log" "$OUTDIR/bench_profile.log"
else
  step bench_sd 120 "${SODEC[@]}" bench --backend "$BE:f16" --random sd21 --size 768x512 --warmup 1 --runs 3 --json
  step bench_onedc 120 "${SODEC[@]}" bench --backend "$BE:f16" --random onedc --size 768x512 --warmup 1 --runs 3 --json
  step bench_profile 60 "${SODEC[@]}" bench --backend "$BE:f16" --random sd21 --size 768x512 --warmup 1 --runs 1 --profile
fi
for f in bench_sd bench_onedc; do
  [ -f "$OUTDIR/$f.log" ] && note "  $f: $(grep -o '"name":"decode","median_ms":[0-9.]*' "$OUTDIR/$f.log" || tail -1 "$OUTDIR/$f.log")"
done
note "  profile top ops:"; grep -E '%$' "$OUTDIR/bench_profile.log" 2>/dev/null | head -6 | sed 's/^/    /' | tee -a "$SUMMARY" >/dev/null
# the convolution path per shape (cuDNN or ours, with both times) and what the backend loaded
note "  $(grep -m1 '^bench: backend' "$OUTDIR/bench_profile.log" 2>/dev/null | grep -o 'convolutions: [^;]*' || echo 'no backend line')"
note "  conv paths: $(grep -c '^bench: path .*: cudnn' "$OUTDIR/bench_profile.log" 2>/dev/null) shapes on cuDNN, $(grep -c '^bench: path .*: ours' "$OUTDIR/bench_profile.log" 2>/dev/null) on ours"
grep '^bench: path' "$OUTDIR/bench_profile.log" 2>/dev/null | head -8 | sed 's/^bench: path /    /' | tee -a "$SUMMARY" >/dev/null

# 5. compute-sanitizer memcheck / racecheck on the op cases, where the toolkit is present
if command -v compute-sanitizer >/dev/null && [ $EMULATED -eq 0 ]; then
  for tool in memcheck racecheck; do
    step "sanitizer_$tool" 60 compute-sanitizer --tool "$tool" --target-processes all --error-exitcode 9 \
      "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.sodec.codec.cli.Main conformance "$GOLDEN" --backend cuda --filter op.
    note "  $tool: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$OUTDIR/sanitizer_$tool.log" | tail -1)"
  done
else
  note "step sanitizer: skipped (compute-sanitizer not found${EMULATED:+, or emulated run})"
fi

# 6. ncu on the top kernels, where present
if command -v ncu >/dev/null && [ $EMULATED -eq 0 ]; then
  step ncu 60 ncu --target-processes all --launch-count 12 --section SpeedOfLight \
    "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.sodec.codec.cli.Main bench --backend cuda:f16 --random sd21 --size 256x256 --warmup 0 --runs 1
else
  note "step ncu: skipped (ncu not found${EMULATED:+, or emulated run})"
fi

note "total $(( $(date +%s) - START )) s; logs in $OUTDIR"
