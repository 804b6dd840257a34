#!/usr/bin/env bash
# Side by side in one run, same random weights, same inputs, same thread count: this engine's CPU backend vs
# PyTorch CPU (Debian's python3-torch, bench/compare_torch.sh) vs ONNX Runtime's Java API on CPU, for one SD 2.1
# UNet forward (t = 999, 257 context tokens) and one SD VAE decode per size. Prints seconds and the ratios.
# usage: bench/compare_ort.sh [THREADS] [SIZES...]   (default 2 threads, sizes 256 512 = latents 32x32, 64x64)
# env: SD_BENCH_DIR (default /tmp/sdbench; about 11 GB with the ONNX graphs), SD_FAMILY (sd21 or onedc: the UNet a
#      new SD_BENCH_DIR is initialised with), RUNS (default 1; ORT_RUNS is read when RUNS is unset): timed calls
#      per network and size for the engine (after its two warm-ups) and for ORT (after its one), the median reported,
#      SKIP_TORCH=1 to reuse the java.log/torch.log of an earlier compare_torch.sh run in the same directory.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-2}; shift || true
SIZES=${*:-256 512}
DIR=${SD_BENCH_DIR:-/tmp/sdbench}
RUNS=${RUNS:-${ORT_RUNS:-1}}
export RUNS
PY=/usr/bin/python3
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export SD_BENCH_DIR=$DIR
[ "${SKIP_TORCH:-0}" = 1 ] || bench/compare_torch.sh "$THREADS" $SIZES
[ -f "$DIR/unet.safetensors" ] || $PY bench/python/sd_torch.py init "$DIR" "${SD_FAMILY:-sd21}"
$PY bench/python/sd_torch.py inputs "$DIR" $SIZES
need=""
for s in $SIZES; do
  { [ -f "$DIR/unet_$s/model.onnx" ] && [ -f "$DIR/vae_$s.onnx" ]; } || need="$need $s"
done
[ -z "$need" ] || $PY bench/python/export_onnx.py "$DIR" $need
ls bench/target/lib/onnxruntime-*.jar >/dev/null 2>&1 || mvn -q -pl bench -am package -DskipTests
echo "machine: $(nproc) cores; $(uptime)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
    -cp 'bench/target/classes:bench/target/lib/*' dev.sodec.bench.OrtCompare "$DIR" "$THREADS" "$RUNS" $SIZES 2>&1 \
    | grep -v WARNING | tee "$DIR/ort.log"
echo "machine: $(uptime)"
$PY bench/python/export_onnx.py --compare "$DIR"
echo
echo "size  part   java_s    torch_s   ort_s     java/torch java/ort"
val() { grep "RESULT $1 size=$2 " "$DIR/$1.log" 2>/dev/null | sed -E "s/.* ${3}_s=([0-9.]+).*/\1/" || true; }
for s in $SIZES; do
  for part in unet vae; do
    j=$(val java "$s" "$part"); t=$(val torch "$s" "$part"); o=$(val ort "$s" "$part")
    rt=$([ -n "$j" ] && [ -n "$t" ] && echo "$j / $t" | bc -l || echo nan)
    ro=$([ -n "$j" ] && [ -n "$o" ] && echo "$j / $o" | bc -l || echo nan)
    printf "%-5s %-5s %9s %9s %9s %9.2f %9.2f\n" "$s" "$part" "${j:--}" "${t:--}" "${o:--}" "$rt" "$ro"
  done
done
grep -h peak_rss "$DIR/java.log" "$DIR/torch.log" "$DIR/ort.log" 2>/dev/null || true
