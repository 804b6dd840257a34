#!/usr/bin/env bash
# Load and fault test of `sodec serve` on loopback (issue 17): starts the server (CPU backend unless BACKEND is
# set), runs dev.sodec.bench.serve.LoadGen against it for each client count, stops it (SIGTERM: graceful drain).
# Bounded: RUN_SECONDS per run (default 12) and at most REQUESTS requests per run.
#
#   bench/serve_load.sh                                  # 1, 4, 16 clients; max batch 1 and 8; decompress
#   CLIENTS="4" BATCHES="8" bench/serve_load.sh --fault  # the fault run: garbage, truncated, slow, disconnects
#   MODE=mixed IMAGES="a.png b.jpg" bench/serve_load.sh
# Environment: CLIENTS, BATCHES, RUN_SECONDS, REQUESTS, MODE (decompress|compress|mixed), IMAGES, BACKEND, THREADS,
# WINDOW_MS (batch window, default 5), WORKERS (default 1), JAVA_HOME.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
CLIENTS="${CLIENTS:-1 4 16}"; BATCHES="${BATCHES:-1 8}"; SECONDS_PER_RUN="${RUN_SECONDS:-12}"; REQUESTS="${REQUESTS:-100000}"
MODE="${MODE:-decompress}"; BACKEND="${BACKEND:-cpu}"; THREADS="${THREADS:-0}"; WINDOW_MS="${WINDOW_MS:-5}"; WORKERS="${WORKERS:-1}"
DEFAULT_IMAGE="$ROOT/codec/src/main/resources/dev/sodec/demo/chelsea.png"
IMAGES="${IMAGES:-$DEFAULT_IMAGE}"
FAULT=""; [ "${1:-}" = "--fault" ] && FAULT="--fault"

"$ROOT/sodec" --version >/dev/null                       # builds the codec jars if needed
[ -d bench/target/classes/dev/sodec/bench/serve ] || mvn -q -B -o -pl bench compile
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
CP="codec/target/sodec-codec-0.1.0-SNAPSHOT.jar:codec/target/lib/*"
LOG="$(mktemp /tmp/sodec-serve-load.XXXXXX)"
trap 'rm -f "$LOG"' EXIT

echo "machine: $(nproc) cores, uptime: $(uptime)"
for batch in $BATCHES; do
  "${JAVA[@]}" -cp "$CP" dev.sodec.codec.cli.Main serve --port 0 --backend "$BACKEND" --threads "$THREADS" \
      --max-batch "$batch" --batch-window-ms "$WINDOW_MS" --workers "$WORKERS" --queue 256 --model low >"$LOG" 2>&1 &
  SERVER=$!
  PORT=""
  for _ in $(seq 1 600); do
    PORT="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$LOG")"
    [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.2
  done
  for clients in $CLIENTS; do
    echo "== backend $BACKEND, max batch $batch (window ${WINDOW_MS} ms), $clients clients, $MODE, ${SECONDS_PER_RUN} s ${FAULT}"
    "${JAVA[@]}" -cp "bench/target/classes:$CP" dev.sodec.bench.serve.LoadGen --url "http://127.0.0.1:$PORT" \
        --clients "$clients" --seconds "$SECONDS_PER_RUN" --requests "$REQUESTS" --mode "$MODE" $FAULT $IMAGES || STATUS=1
  done
  kill -TERM "$SERVER"; wait "$SERVER" || true
done
exit "${STATUS:-0}"
