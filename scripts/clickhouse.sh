#!/usr/bin/env bash
# A real single-node ClickHouse server for log0's tests and benchmarks: Debian's clickhouse-server
# package (installed with apt when missing), run as our own process with its config, data and logs
# in .clickhouse/ in the repo. The distro's service (systemd / init.d) is never used.
#
#   scripts/clickhouse.sh start    install if needed, write the config, start, wait until it serves
#   scripts/clickhouse.sh stop     stop the server started by this script (by its PID)
#   scripts/clickhouse.sh status   "running" or "stopped" (exit code 0 or 1)
#   scripts/clickhouse.sh reset    stop and delete the server's data
#
# Settings (environment): CLICKHOUSE_HOME (default .clickhouse in the repo),
# CLICKHOUSE_HTTP_PORT (8123), CLICKHOUSE_TCP_PORT (9000).
# It listens on 127.0.0.1 only; user "default" has no password and is allowed from localhost only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLICKHOUSE_HOME="${CLICKHOUSE_HOME:-$ROOT/.clickhouse}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
DATA="$CLICKHOUSE_HOME/data"
LOGS="$CLICKHOUSE_HOME/logs"
PID_FILE="$CLICKHOUSE_HOME/clickhouse.pid"
OUT_FILE="$CLICKHOUSE_HOME/clickhouse.out"
CONFIG="$CLICKHOUSE_HOME/config.xml"
USERS="$CLICKHOUSE_HOME/users.xml"

log() { echo "clickhouse.sh: $*" >&2; }

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

# The server binary: Debian's package ships /usr/sbin/clickhouse-server (18.16); upstream builds
# ship one multi-call /usr/bin/clickhouse.
server_command() {
  if [[ -x /usr/bin/clickhouse ]]; then echo "/usr/bin/clickhouse server"; return 0; fi
  local bin
  for bin in /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if [[ -x "$bin" ]]; then echo "$bin"; return 0; fi
  done
  return 1
}

install() {
  if server_command >/dev/null; then return 0; fi
  log "installing Debian's clickhouse-server and clickhouse-client (apt)"
  local packages=(clickhouse-server clickhouse-client)
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2; then
    as_root apt-get update >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2
  fi
  server_command >/dev/null || { log "clickhouse-server is installed but no server binary was found"; exit 1; }
}

is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  # Alive and still a ClickHouse server (not a recycled PID).
  kill -0 "$pid" 2>/dev/null && grep -qa clickhouse "/proc/$pid/cmdline" 2>/dev/null
}

serves() {
  [[ "$(curl -s --max-time 2 "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" == "Ok." ]]
}

write_config() {
  mkdir -p "$DATA" "$LOGS" "$DATA/tmp" "$DATA/user_files" "$DATA/format_schemas"
  cat >"$CONFIG" <<CONF
<?xml version="1.0"?>
<!-- Written by scripts/clickhouse.sh on every start; edit the script, not this file. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>$LOGS/clickhouse-server.log</log>
        <errorlog>$LOGS/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$CLICKHOUSE_HTTP_PORT</http_port>
    <tcp_port>$CLICKHOUSE_TCP_PORT</tcp_port>
    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>1073741824</mark_cache_size>
    <path>$DATA/</path>
    <tmp_path>$DATA/tmp/</tmp_path>
    <user_files_path>$DATA/user_files/</user_files_path>
    <format_schema_path>$DATA/format_schemas/</format_schema_path>
    <users_config>$USERS</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>1000</flush_interval_milliseconds>
    </query_log>
</yandex>
CONF
  cat >"$USERS" <<USERS
<?xml version="1.0"?>
<!-- Written by scripts/clickhouse.sh on every start; edit the script, not this file. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks replace="replace">
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
USERS
}

start() {
  if is_running && serves; then log "already running (pid $(cat "$PID_FILE"))"; return 0; fi
  if is_running; then
    log "pid $(cat "$PID_FILE") is running but does not serve yet; waiting for it"
  else
    if serves; then log "something else already serves on 127.0.0.1:$CLICKHOUSE_HTTP_PORT"; exit 1; fi
    install
    write_config
    local command
    command="$(server_command)"
    log "starting on 127.0.0.1 (HTTP $CLICKHOUSE_HTTP_PORT, native $CLICKHOUSE_TCP_PORT), data in $DATA"
    # Run from the home folder: the server resolves some relative paths (e.g. preprocessed configs) there.
    # shellcheck disable=SC2086 # $command is "binary [subcommand]"
    (cd "$CLICKHOUSE_HOME" && exec nohup $command --config-file="$CONFIG" >"$OUT_FILE" 2>&1 9>&-) &
    echo $! >"$PID_FILE"
  fi
  for _ in $(seq 1 600); do
    if serves; then log "serving (pid $(cat "$PID_FILE"))"; return 0; fi
    # Alive at all: right after the launch the PID may still be the subshell or nohup.
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      log "the server exited; last lines of $OUT_FILE and $LOGS/clickhouse-server.err.log:"
      tail -n 20 "$OUT_FILE" >&2 || true
      tail -n 20 "$LOGS/clickhouse-server.err.log" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      exit 1
    fi
    sleep 0.1
  done
  log "not serving after 60 s; last lines of $LOGS/clickhouse-server.err.log:"
  tail -n 30 "$LOGS/clickhouse-server.err.log" >&2 2>/dev/null || tail -n 30 "$OUT_FILE" >&2 || true
  exit 1
}

# shellcheck source=scripts/stop-by-pid.sh
source "$(dirname "${BASH_SOURCE[0]}")/stop-by-pid.sh"

# start, stop and reset hold a lock: test files running in parallel may all call start at once.
lock() {
  mkdir -p "$CLICKHOUSE_HOME"
  exec 9>"$CLICKHOUSE_HOME/lock"
  flock -w 120 9 || { log "another clickhouse.sh holds $CLICKHOUSE_HOME/lock"; exit 1; }
}

case "${1:-}" in
  start) lock; start ;;
  stop) lock; stop ;;
  status) if is_running && serves; then echo running; else echo stopped; exit 1; fi ;;
  reset) lock; stop; rm -rf "$DATA" "$LOGS" ;;
  *) echo "usage: scripts/clickhouse.sh start|stop|status|reset" >&2; exit 2 ;;
esac
