#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser (codec's test sources, package dev.sodec.fuzz; Jazzer's libFuzzer driver), one target after another.
#
#   bench/fuzz.sh [--seconds S] [--runs N] [--only A,B] [--nice K] [--keep-going N]
#
# Each target runs for S seconds (default 60) or N executions (whichever ends first), niced (default 19), one JVM at
# a time, on one core; its growing corpus is kept in codec/target/fuzz/corpus/<target> (reused by the next run), findings (crashing
# inputs + a Java reproducer) go to codec/target/fuzz/findings/<target>/, the full log to codec/target/fuzz/<target>.log.
# A finding is fixed, then its input is copied into the target's committed corpus
# (codec/src/test/resources/dev/sodec/fuzz/<Target>FuzzTestInputs/<method>/) so that `mvn test` replays it.
# Prints one line per target: executions, libFuzzer's seconds and wall seconds, exec/s (libFuzzer's average), edge
# coverage, features, corpus size, findings (crash, timeout, out-of-memory), the slowest input's seconds (libFuzzer
# -timeout=30 makes anything slower a finding) and the 5-minute load average when the target finished.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
seconds=60 runs="" only="" nice=19 keep_going=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --nice) nice="$2"; shift 2 ;;
    --keep-going) keep_going="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# Target = test class prefix; its @FuzzTest method's input folder is found below.
targets=(Json LdmYaml SafeTensors TorchPickle TorchFile Container Rans HyperpriorDecode SodecDecode ImageInput
         OneDcRans OneDcContainer OneDcDecode ServeRequest)
if [[ -n "$only" ]]; then IFS=, read -r -a targets <<< "$only"; fi

out=codec/target/fuzz
mkdir -p "$out"
mvn -B -q test-compile dependency:build-classpath -pl codec -am -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$out/classpath.txt" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
# build-classpath lists codec's dependencies only: its own classes go in front
cp="codec/target/test-classes:codec/target/classes:$(cat "$out/classpath.txt")"
shared=${SODEC_SHARED:-$(cd .. && pwd)/shared}

printf '%-17s %12s %7s %7s %9s %6s %7s %7s %8s %9s %6s\n' target executions fuzz_s wall_s exec/s cov ft corpus findings slowest_s load
status=0
for t in "${targets[@]}"; do
  cls="dev.sodec.fuzz.${t}FuzzTest"
  inputs=$(ls -d codec/src/test/resources/dev/sodec/fuzz/${t}FuzzTestInputs/*/ 2>/dev/null | head -1)
  [[ -n "$inputs" ]] || { echo "fuzz.sh: no committed inputs for $t" >&2; exit 1; }
  corpus="$out/corpus/$t"; findings="$out/findings/$t/"; log="$out/$t.log"
  mkdir -p "$corpus" "$findings"
  limit=(-max_total_time="$seconds")          # with --runs too: whichever comes first
  [[ -n "$runs" ]] && limit+=(-runs="$runs")
  stamp="$out/.start-$t"; touch "$stamp"
  start=$(date +%s%N)
  set +e
  nice -n "$nice" "$JAVA_HOME/bin/java" -Xss4m -Xmx1536m -XX:+EnableDynamicAgentLoading \
      --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dsodec.shared="$shared" \
      -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$cls" --instrumentation_includes='dev.sodec.**' \
      --keep_going="$keep_going" --reproducer_path="$findings" -artifact_prefix="$findings" \
      -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 -print_pcs=0 "${limit[@]}" \
      "$corpus" "$inputs" >"$log" 2>&1
  rc=$?
  set -e
  secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  execs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -a -o '[0-9]*$' || echo 0)
  cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | grep -a -o '[0-9]*$' || echo -)
  ft=$(grep -a -o 'ft: [0-9]*' "$log" | tail -1 | grep -a -o '[0-9]*$' || echo -)
  n_corpus=$(ls "$corpus" | wc -l)
  # findings of this run only (earlier ones stay in the folder until they are fixed and committed)
  n_find=$(find "$findings" -maxdepth 1 -newer "$stamp" -regextype egrep -regex '.*/(crash|timeout|oom|leak)-[^/]*' | wc -l)
  # libFuzzer's own time and rate (the wall time adds JVM start, instrumentation and model loading)
  fuzz_s=$(grep -a -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -a -o '[0-9]* second' | grep -a -o '[0-9]*' || echo -)
  rate=$(grep -a -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -a -o '[0-9]*$' || echo -)
  slowest=$(grep -a -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | tail -1 | grep -a -o '[0-9]*$' || echo -)
  load=$(cut -d' ' -f2 /proc/loadavg)   # 5-minute load average at the end of the run: the machine is shared
  printf '%-17s %12s %7s %7.0f %9s %6s %7s %7s %8s %9s %6s\n' "$t" "${execs:-0}" "${fuzz_s:--}" "$secs" "${rate:--}" "$cov" "$ft" "$n_corpus" "$n_find" "$slowest" "$load"
  if [[ $n_find -gt 0 || ( $rc -ne 0 && $rc -ne 77 ) ]]; then
    status=1
    [[ $n_find -gt 0 ]] || echo "  $t: the fuzzer exited with $rc, see $log" >&2
  fi
done
exit $status
