#!/usr/bin/env bash
# Builds the self-contained GPU check bundle (at most 60 MiB): a jlinked Java 25 runtime, the project's jars (the
# codec jar without its bundled models), JCuda's jars with only linux-x86_64 natives, the JUnit console launcher, the
# engine's test classes (the GPU tests) and a subset of the golden cases. The GPU machine needs no Maven, no network
# and no JDK: run.sh inside the bundle does everything. Usage: bench/gpu/prepare.sh [OUT_DIR]  (default bench/gpu/out)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/bench/gpu/out}"
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
SHARED="${SODEC_SHARED:-$ROOT/../shared}"
JUNIT_VERSION=1.11.4
STAGE="$OUT/sodec-gpu"
rm -rf "$STAGE" "$OUT/sodec-gpu-check.tar.xz"
mkdir -p "$STAGE/lib" "$STAGE/test-classes" "$STAGE/golden"

echo "prepare: building jars and test classes (mvn package -DskipTests, test-compile)" >&2
(cd "$ROOT" && mvn -q -B package -DskipTests 2>&1 | grep -E '^\[ERROR\]' >&2 || true)
(cd "$ROOT" && mvn -q -B test-compile -pl engine -am 2>&1 | grep -E '^\[ERROR\]' >&2 || true)
[ -f "$ROOT/codec/target/sodec-codec-0.1.0-SNAPSHOT.jar" ] || { echo "prepare: build failed" >&2; exit 1; }
if ! unzip -l "$ROOT/kernels/target/sodec-kernels-0.1.0-SNAPSHOT.jar" | grep -q 'kernels/sodec_kernels.fatbin'; then
  echo "prepare: the kernels jar holds no fatbin (nvcc missing?): the bundle could not run on a GPU" >&2
  exit 1
fi

echo "prepare: jars" >&2
for j in "$ROOT"/codec/target/lib/*.jar; do
  case "$(basename "$j")" in
    *natives*linux-x86_64*|sodec-*|jcuda-1*|jcublas-1*) cp "$j" "$STAGE/lib/" ;;
    *natives*) ;;   # other platforms' natives are of no use on the GPU machine
    *) cp "$j" "$STAGE/lib/" ;;
  esac
done
# the codec jar without the bundled models (16 MB the GPU check never uses)
TMPJ="$(mktemp -d)"
(cd "$TMPJ" && unzip -q "$ROOT/codec/target/sodec-codec-0.1.0-SNAPSHOT.jar" && rm -f dev/sodec/models/*.safetensors \
  && "$JAVA_HOME/bin/jar" --create --file "$STAGE/lib/sodec-codec-0.1.0-SNAPSHOT.jar" -C "$TMPJ" .)
rm -rf "$TMPJ"
cp -r "$ROOT/engine/target/test-classes/." "$STAGE/test-classes/"
(cd "$ROOT" && mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION \
  -DoutputDirectory="$STAGE/lib" 2>&1 | grep -E '^\[ERROR\]' >&2 || true)
ls "$STAGE"/lib/junit-platform-console-standalone-*.jar >/dev/null

echo "prepare: golden subset" >&2
for d in "$SHARED"/golden/op.* "$SHARED"/golden/block.* "$SHARED"/golden/entropy.* "$SHARED"/golden/model.* \
         "$SHARED"/golden/pipeline.sodec "$SHARED"/golden/onedc.block.* "$SHARED"/golden/onedc.rans.* \
         "$SHARED"/golden/onedc.cdf_tables.* "$SHARED"/golden/onedc.scale_index.* "$SHARED"/golden/onedc.fsq.*; do
  [ -d "$d" ] && cp -r "$d" "$STAGE/golden/"
done
cp "$SHARED/golden/FORMAT.md" "$STAGE/golden/"

echo "prepare: Java runtime (jlink)" >&2
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.incubator.vector,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files --output "$STAGE/jre" 2>&1 | grep -v 'incubator' >&2 || true
[ -x "$STAGE/jre/bin/java" ] || { echo "prepare: jlink failed" >&2; exit 1; }

cp "$ROOT/bench/gpu/run.sh" "$STAGE/run.sh"
chmod +x "$STAGE/run.sh"
(cd "$ROOT" && git rev-parse HEAD) > "$STAGE/COMMIT" 2>/dev/null || true
tar -C "$OUT" -cJf "$OUT/sodec-gpu-check.tar.xz" sodec-gpu
SIZE=$(stat -c %s "$OUT/sodec-gpu-check.tar.xz")
echo "prepare: $OUT/sodec-gpu-check.tar.xz $((SIZE / 1048576)) MiB (limit 60)" >&2
[ "$SIZE" -le $((60 * 1048576)) ] || { echo "prepare: bundle over 60 MiB" >&2; exit 1; }
