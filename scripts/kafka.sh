#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft: broker and controller in one JVM, no ZooKeeper) for log0's
# tests and benchmarks, brought onto the machine from Maven Central with Maven.
#
#   scripts/kafka.sh fetch    download the pinned release's jars into .kafka/lib (cached)
#   scripts/kafka.sh start    fetch if needed, format storage on first start, start, wait until it serves
#   scripts/kafka.sh stop     stop the broker started by this script (by its PID)
#   scripts/kafka.sh status   "running" or "stopped" (exit code 0 or 1)
#   scripts/kafka.sh reset    stop and delete the broker's data
#
# Settings (environment): KAFKA_VERSION (default below), KAFKA_HOME (default .kafka in the repo),
# KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m).
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_HOME="${KAFKA_HOME:-$ROOT/.kafka}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
LIB="$KAFKA_HOME/lib-$KAFKA_VERSION"
DATA="$KAFKA_HOME/data"
PID_FILE="$KAFKA_HOME/kafka.pid"
LOG_FILE="$KAFKA_HOME/kafka.out"
CONFIG="$KAFKA_HOME/server.properties"

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  if [[ -f "$LIB/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch Kafka"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run Kafka"; exit 1; }
  log "fetching Apache Kafka $KAFKA_VERSION (kafka_2.13 and its runtime dependencies) from Maven Central"
  local work="$KAFKA_HOME/fetch-$KAFKA_VERSION"
  mkdir -p "$work"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.log0</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$LIB.partial"
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB.partial" >&2
  rm -rf "$LIB"
  mv "$LIB.partial" "$LIB"
  touch "$LIB/.complete"
  log "Kafka $KAFKA_VERSION is in $LIB ($(ls "$LIB" | wc -l) jars)"
}

is_running() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

serves() {
  # The broker accepts TCP connections on its listener once it is up.
  (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null
}

write_config() {
  cat >"$CONFIG" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
CONF
  cat >"$KAFKA_HOME/log4j2.properties" <<LOG
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
LOG
}

java_run() {
  java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" -cp "$LIB/*" "$@"
}

start() {
  if is_running; then log "already running (pid $(cat "$PID_FILE"))"; return 0; fi
  if serves; then log "something else already listens on 127.0.0.1:$KAFKA_PORT"; exit 1; fi
  fetch
  mkdir -p "$DATA"
  write_config
  if [[ ! -f "$DATA/meta.properties" ]]; then
    log "formatting KRaft storage in $DATA"
    java_run kafka.tools.StorageTool format -t "$(java_run kafka.tools.StorageTool random-uuid)" -c "$CONFIG" >&2
  fi
  log "starting on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" -cp "$LIB/*" kafka.Kafka "$CONFIG" >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 600); do
    if serves; then log "serving (pid $(cat "$PID_FILE"))"; return 0; fi
    if ! is_running; then log "the broker exited; last lines of $LOG_FILE:"; tail -n 30 "$LOG_FILE" >&2; exit 1; fi
    sleep 0.1
  done
  log "not serving after 60 s; see $LOG_FILE"
  exit 1
}

# shellcheck source=scripts/stop-by-pid.sh
source "$(dirname "${BASH_SOURCE[0]}")/stop-by-pid.sh"

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo running; else echo stopped; exit 1; fi ;;
  reset) stop; rm -rf "$DATA" ;;
  *) echo "usage: scripts/kafka.sh fetch|start|stop|status|reset" >&2; exit 2 ;;
esac
