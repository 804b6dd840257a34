#!/usr/bin/env bash
# The library as a consumer sees it. Installs this checkout into a private Maven repository (seeded from
# ~/.m2/repository, which is left untouched), creates a Maven project that depends on dev.sodec:sodec-codec alone,
# and runs in it: the README's Java example verbatim (the block after `<!-- consumer-example -->`), which also reads
# and writes .sdc through ImageIO, and PluginCheck (plugin registration and header reading with no JVM options).
#
#   codec/src/test/consumer/run.sh [WORKDIR]      # needs JDK 25 and Maven; offline once ~/.m2 holds the plugins
#
# SODEC_CONSUMER_JVM_OPTS: JVM options for the example (default: none; the engine runs scalar loops without
# --add-modules jdk.incubator.vector, after one warning).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
HERE="$ROOT/codec/src/test/consumer"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
WORK="${1:-$(mktemp -d /tmp/sodec-consumer.XXXXXX)}"
REPO="$WORK/m2"
OPTS="${SODEC_CONSUMER_JVM_OPTS:-}"
MVN=(mvn -B -q -o -Dmaven.repo.local="$REPO")
say() { echo "consumer: $*" >&2; }

if [ ! -d "$REPO" ]; then
  say "seeding $REPO from ~/.m2/repository"
  mkdir -p "$REPO" && cp -r "$HOME/.m2/repository/." "$REPO/"
fi
VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -1)
say "installing dev.sodec:*:$VERSION into $REPO"
(cd "$ROOT" && "${MVN[@]}" install -DskipTests -Dmaven.javadoc.skip=true 2>&1 | grep -v -e '^WARNING' -e '^[[:space:]]*$' >&2) || true
[ -f "$REPO/dev/sodec/sodec-codec/$VERSION/sodec-codec-$VERSION.jar" ] || { say "install failed"; exit 1; }

P="$WORK/project"
rm -rf "$P" && mkdir -p "$P/src/main/java"
sed "s/@VERSION@/$VERSION/" "$HERE/pom.xml.in" > "$P/pom.xml"
cp "$HERE/PluginCheck.java" "$P/src/main/java/"
# the README's example, verbatim
awk '/<!-- consumer-example -->/ {found=1; next} found && /^```java/ {inblock=1; next} inblock && /^```/ {exit} inblock {print}' \
  "$ROOT/README.md" > "$P/src/main/java/Example.java"
[ -s "$P/src/main/java/Example.java" ] || { say "no example found in README.md"; exit 1; }
say "building the consumer project"
(cd "$P" && "${MVN[@]}" compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=cp.txt 2>&1 | grep -v -e '^WARNING' -e '^[[:space:]]*$' >&2) || true
[ -f "$P/target/classes/Example.class" ] || { say "the README example did not compile"; exit 1; }
CP="$P/target/classes:$(cat "$P/cp.txt")"

cd "$WORK"
cp "$ROOT/codec/src/main/resources/dev/sodec/demo/chelsea.png" in.png
rm -f out.png out.sdc
say "running the README example (JVM options: ${OPTS:-none})"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $OPTS -cp "$CP" Example
[ -s out.png ] && [ -s out.sdc ] || { say "the example wrote no out.png / out.sdc"; exit 1; }
say "running PluginCheck (no JVM options)"
"$JAVA_HOME/bin/java" -cp "$CP" PluginCheck out.sdc
say "ok ($WORK)"
