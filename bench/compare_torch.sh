#!/usr/bin/env bash
# Side-by-side CPU timing of one SD 2.1 UNet forward and one SD VAE decode: this engine vs PyTorch (Debian's
# python3-torch), same random weights (written once by sd_torch.py init), same inputs, same thread count.
# usage: bench/compare_torch.sh [THREADS] [SIZES...]     (default: 2 threads, sizes 256 512)
# env: SD_BENCH_DIR (default /tmp/sdbench) holds the 3.5 GB of weights; SD_FAMILY (sd21, default, or onedc: OneDC's
#      SD 1.5-configured decoder UNet) picks the UNet a new directory is initialised with; RUNS (default 1): the
#      engine's timed calls per network and size after its two warm-ups, the median reported (torch: one call);
#      SODEC_JAVA_OPTS: extra JVM options for the engine (e.g. -Dsodec.cpu.winograd=wide), as ./sodec reads them.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-2}; shift || true
SIZES=${*:-256 512}
DIR=${SD_BENCH_DIR:-/tmp/sdbench}
PY=/usr/bin/python3
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$DIR/unet.safetensors" ] || $PY bench/python/sd_torch.py init "$DIR" "${SD_FAMILY:-sd21}"
$PY bench/python/sd_torch.py inputs "$DIR" $SIZES
mvn -q -o -pl bench -am package -DskipTests 2>&1 | grep -v WARNING || true  # reactor build: never a stale engine from ~/.m2
echo "machine: $(nproc) cores; $(uptime)"
# shellcheck disable=SC2086 # SODEC_JAVA_OPTS is a list of options
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g ${SODEC_JAVA_OPTS:-} \
    -cp 'bench/target/classes:bench/target/lib/*' dev.sodec.bench.SdCompare "$DIR" "$THREADS" "runs=${RUNS:-1}" $SIZES 2>&1 \
    | grep -v WARNING | tee "$DIR/java.log"
echo "machine: $(uptime)"
OMP_NUM_THREADS=$THREADS $PY bench/python/sd_torch.py run "$DIR" "$THREADS" $SIZES | tee "$DIR/torch.log"
echo "machine: $(uptime)"
$PY bench/python/sd_torch.py compare "$DIR"
echo
echo "size  part   java_s    torch_s   java/torch"
for s in $SIZES; do
  for part in unet vae; do
    j=$(grep "RESULT java size=$s " "$DIR/java.log" | sed -E "s/.*${part}_s=([0-9.]+).*/\1/")
    t=$(grep "RESULT torch size=$s " "$DIR/torch.log" | sed -E "s/.*${part}_s=([0-9.]+).*/\1/")
    printf "%-5s %-5s %9.3f %9.3f %8.2f\n" "$s" "$part" "$j" "$t" "$(echo "$j / $t" | bc -l)"
  done
done
grep -h "peak_rss\|INFO" "$DIR/java.log" "$DIR/torch.log"
