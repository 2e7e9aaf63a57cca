#!/usr/bin/env bash
# Local PostgreSQL cluster owned by radflow (not the system cluster), listening on 127.0.0.1 only.
#   install  make sure Debian's PostgreSQL server binaries are present (apt-get when missing)
#   start    initdb once under .cache/postgres/data, start, create role+database radflow, wait for `select 1`
#   stop     stop the cluster (fast shutdown)
#   status   report whether it runs and answers (exit 0 ready, 1 not answering, 3 stopped)
# Env: POSTGRES_PORT (5432), POSTGRES_START_TIMEOUT_S (60), POSTGRES_HOME_DIR (.cache/postgres: data, socket, logs;
# another directory and port run a second, separate cluster, e.g. the reliability soak's own).
set -euo pipefail
SERVICE=postgres
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT=${POSTGRES_PORT:-5432}
START_TIMEOUT_S=${POSTGRES_START_TIMEOUT_S:-60}
DB_NAME=radflow
DB_USER=radflow
DB_PASSWORD=radflow

HOME_DIR=${POSTGRES_HOME_DIR:-$CACHE_DIR/postgres}
DATA_DIR="$HOME_DIR/data"
RUN_DIR="$HOME_DIR/run"
LOG_DIR="$HOME_DIR/logs"
LOG_FILE="$LOG_DIR/postgres.log"
DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"

# initdb refuses to run as root: as root the cluster belongs to the `postgres` OS user.
if [[ $EUID -eq 0 ]]; then
  PG_OS_USER=postgres
else
  PG_OS_USER=$(id -un)
fi

as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
      printf '%s' "$d"
      return 0
    fi
  done
  return 1
}

cmd_install() {
  local t0 bin
  t0=$(now_ms)
  if bin=$(find_pg_bin); then
    log "PostgreSQL server binaries present in $bin (cached; took $(elapsed_s "$t0")s)"
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries are missing and installing them needs root: sudo apt-get install -y postgresql"
  mkdir -p "$LOG_DIR"
  log "installing PostgreSQL from Debian packages (log: $LOG_DIR/install.log)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends postgresql >"$LOG_DIR/install.log" 2>&1; then
    log "apt-get install failed; refreshing package lists once and retrying"
    apt-get update >>"$LOG_DIR/install.log" 2>&1 || die "apt-get update failed; see $LOG_DIR/install.log"
    apt-get install -y --no-install-recommends postgresql >>"$LOG_DIR/install.log" 2>&1 ||
      die "apt-get install postgresql failed; see $LOG_DIR/install.log"
  fi
  bin=$(find_pg_bin) || die "postgresql installed but no server binaries under /usr/lib/postgresql/*/bin; see $LOG_DIR/install.log"
  log "installed PostgreSQL ($bin) in $(elapsed_s "$t0")s"
}

postmaster_pid() {
  [[ -s "$DATA_DIR/postmaster.pid" ]] || return 1
  local pid
  pid=$(head -n 1 "$DATA_DIR/postmaster.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

ours_running() { postmaster_pid >/dev/null; }

pg_ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$DB_NAME" -U "$DB_USER" &&
    [[ "$(PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -tAXc 'select 1')" == "1" ]]
}

describe_foreign_listener() {
  local who=""
  who=$(listener_of "$PG_PORT")
  if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p && $4 == "online"' | grep -q .; then
    die "a system PostgreSQL cluster is already listening on port $PG_PORT ($(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p { print $1 "/" $2 }' | head -n 1)). Stop it (pg_ctlcluster <version> <cluster> stop) or start radflow's on another port: POSTGRES_PORT=5433 $0 start"
  fi
  die "port $PG_PORT on 127.0.0.1 is taken by a process this script did not start${who:+: $who}. Stop it, or use POSTGRES_PORT=<port>."
}

init_cluster() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
  log "initdb: new cluster in $DATA_DIR (OS user $PG_OS_USER)"
  mkdir -p "$DATA_DIR"
  chown "$PG_OS_USER" "$DATA_DIR"
  chmod 700 "$DATA_DIR"
  if ! as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$LOG_DIR/initdb.log" 2>&1; then
    tail -n 20 "$LOG_DIR/initdb.log" >&2 || true
    die "initdb failed; full log: $LOG_DIR/initdb.log"
  fi
  cat >>"$DATA_DIR/postgresql.conf" <<CONF

# --- radflow (infra/postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN_DIR'
max_connections = 100
shared_buffers = 128MB
log_destination = 'stderr'
logging_collector = off
log_min_messages = warning
log_connections = off
log_statement = 'none'
CONF
  # Local socket: peer (the OS user that owns the cluster). TCP: passwords only, loopback only.
  cat >"$DATA_DIR/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  peer
host    all       all   127.0.0.1/32   scram-sha-256
HBA
}

# The port lives on the command line (not in postgresql.conf) so POSTGRES_PORT works for an existing cluster.
pg_ctl() { as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" "$@"; }

psql_admin() {
  as_pg "$PG_BIN/psql" -h "$RUN_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAX "$@"
}

ensure_role_and_db() {
  psql_admin >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')
\gexec
SQL
}

cmd_start() {
  local t0
  t0=$(now_ms)
  if [[ -z "${PG_BIN:-}" ]]; then PG_BIN=$(find_pg_bin) || { cmd_install; PG_BIN=$(find_pg_bin); }; fi
  if ours_running; then
    if pg_ready; then
      log "already running (pid $(postmaster_pid)) and ready: $DATABASE_URL"
      return 0
    fi
    die "running (pid $(postmaster_pid)) but 'select 1' as $DB_USER fails; look at $LOG_FILE, or run: $0 stop && $0 start"
  fi
  if port_open "$PG_PORT"; then
    # Another checkout's cluster (or any server) where radflow/radflow already works is as good as ours.
    if pg_ready; then
      log "a PostgreSQL not started from this checkout already serves $DATABASE_URL ($(listener_of "$PG_PORT")); using it"
      return 0
    fi
    describe_foreign_listener
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  chown "$PG_OS_USER" "$RUN_DIR" "$LOG_DIR"
  if [[ $EUID -eq 0 ]] && ! runuser -u "$PG_OS_USER" -- test -w "$RUN_DIR"; then
    die "the '$PG_OS_USER' OS user cannot reach $HOME_DIR (a parent directory is not world-traversable): chmod o+x the parent directories, or keep the repository under a path others can traverse"
  fi
  touch "$LOG_FILE" && chown "$PG_OS_USER" "$LOG_FILE"
  init_cluster
  printf '\n===== start %s =====\n' "$(date -Is)" >>"$LOG_FILE"
  if ! pg_ctl -l "$LOG_FILE" -o "-p $PG_PORT" -w -t "$START_TIMEOUT_S" start >/dev/null; then
    printf '[postgres] ERROR: pg_ctl could not start the cluster. Look at %s. Last log lines:\n' "$LOG_FILE" >&2
    tail -n 30 "$LOG_FILE" >&2 || true
    exit 1
  fi
  ensure_role_and_db || die "creating role/database $DB_NAME failed; look at $LOG_FILE"
  local remaining=$((START_TIMEOUT_S - ($(now_ms) - t0) / 1000))
  ((remaining > 5)) || remaining=5
  wait_ready "$remaining" "PostgreSQL" "" "$LOG_FILE" pg_ready
  log "ready in $(elapsed_s "$t0")s: $DATABASE_URL (pid $(postmaster_pid))"
}

cmd_stop() {
  if ! ours_running; then
    log "PostgreSQL is not running (from this checkout)"
    if port_open "$PG_PORT"; then
      log "note: something not started from this checkout still listens on 127.0.0.1:$PG_PORT ($(listener_of "$PG_PORT")); left alone"
    fi
    return 0
  fi
  log "stopping PostgreSQL (pid $(postmaster_pid))"
  pg_ctl -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed; look at $LOG_FILE"
  log "PostgreSQL stopped"
}

cmd_status() {
  PG_BIN=$(find_pg_bin) || { log "not installed"; return 3; }
  if ! ours_running; then
    if port_open "$PG_PORT" && pg_ready; then
      log "ready: $DATABASE_URL, served by a PostgreSQL not started from this checkout ($(listener_of "$PG_PORT"))"
      return 0
    fi
    log "stopped"
    return 3
  fi
  if pg_ready; then
    log "running (pid $(postmaster_pid)), ready: $DATABASE_URL"
    return 0
  fi
  log "running (pid $(postmaster_pid)) but NOT answering 'select 1' on 127.0.0.1:$PG_PORT; look at $LOG_FILE"
  return 1
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) PG_BIN=$(find_pg_bin) || { log "not installed"; exit 0; }; cmd_stop ;;
  status) cmd_status ;;
  *) usage_die "install|start|stop|status" ;;
esac
