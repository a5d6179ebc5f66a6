# Sourced by scripts/kafka.sh and scripts/clickhouse.sh: stops the server they started, by the
# PID in $PID_FILE (TERM, up to 30 s, then KILL). Needs the caller's `log` and `is_running`.
stop() {
  if ! is_running; then rm -f "$PID_FILE"; log "not running"; return 0; fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$PID_FILE"; log "stopped"; return 0; fi
    sleep 0.1
  done
  log "did not stop in 30 s; killing"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}
