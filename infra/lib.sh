# Shared helpers for the infra/*.sh service scripts. Source it; do not run it.
# Every script resolves the repo root from its own location, so they work from any cwd.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/.." && pwd)"
CACHE_DIR="$REPO_ROOT/.cache"
export INFRA_DIR REPO_ROOT CACHE_DIR

# Node 24 LTS pinned by the project lives here; fall back to whatever node is on PATH.
if [[ -x "$CACHE_DIR/node/bin/node" ]]; then
  export PATH="$CACHE_DIR/node/bin:$PATH"
fi

_svc() { printf '%s' "${SERVICE:-infra}"; }
log() { printf '[%s] %s\n' "$(_svc)" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$(_svc)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(_svc)" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
# elapsed_s START_MS -> "12.3"
elapsed_s() {
  local start=$1 end
  end=$(now_ms)
  awk -v d="$((end - start))" 'BEGIN { printf "%.1f", d / 1000 }'
}

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed or not on PATH"
  done
}

# pid_alive PIDFILE [MARKER] -> 0 when the file names a live process (whose command line contains
# MARKER, so a pid reused by an unrelated process after a reboot or crash is not mistaken for ours).
pid_alive() {
  local pidfile=$1 marker=${2:-} pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -z "$marker" ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# listener_of PORT -> "process (pid N)" listening on 127.0.0.1:PORT, when ss can tell.
listener_of() {
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true
}

# port_open PORT [HOST] -> 0 when something accepts TCP connections there.
port_open() {
  local port=$1 host=${2:-127.0.0.1}
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# start_detached PIDFILE LOGFILE CMD... : runs CMD in its own session, survives this shell.
start_detached() {
  local pidfile=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  # setsid gives the service its own process group, so stop can signal the whole group.
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# stop_pidfile PIDFILE NAME [TIMEOUT_S] [MARKER]: SIGTERM the process group, wait, then SIGKILL.
stop_pidfile() {
  local pidfile=$1 name=$2 timeout=${3:-30} marker=${4:-} pid i
  if ! pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    log "$name is not running (from this checkout)"
    return 0
  fi
  pid=$(<"$pidfile")
  log "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name did not stop within ${timeout}s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# wait_ready TIMEOUT_S DESCRIPTION PIDFILE LOGFILE CHECK_CMD...
# Polls CHECK_CMD until it succeeds; fails early when the process died, with the log path.
wait_ready() {
  local timeout=$1 what=$2 pidfile=$3 logfile=$4
  shift 4
  local deadline=$(($(now_ms) + timeout * 1000))
  while true; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
      printf '[%s] ERROR: %s exited during startup. Last log lines (%s):\n' "$(_svc)" "$what" "$logfile" >&2
      tail -n 30 "$logfile" >&2 || true
      exit 1
    fi
    if (($(now_ms) > deadline)); then
      printf '[%s] ERROR: %s not ready after %ss. Look at %s. Last log lines:\n' "$(_svc)" "$what" "$timeout" "$logfile" >&2
      tail -n 30 "$logfile" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

# run_logged LOGFILE WHAT CMD...: runs CMD with its output appended to LOGFILE; when it fails, shows the log's last
# lines and dies saying WHAT failed.
run_logged() {
  local logfile=$1 what=$2
  shift 2
  if ! "$@" >>"$logfile" 2>&1; then
    tail -n 20 "$logfile" >&2 || true
    die "$what failed; full log: $logfile"
  fi
}

# probe_after_start T0 TIMEOUT_S LOGFILE FAILURE CHECK_CMD...: once a started service listens, runs
# CHECK_CMD --timeout-ms with what is left of TIMEOUT_S since T0 (at least 5 s); when it fails, exits 1 with
# "FAILURE within TIMEOUT_S s" and the log's last lines.
probe_after_start() {
  local t0=$1 timeout=$2 logfile=$3 failure=$4
  shift 4
  local remaining_ms=$((timeout * 1000 - ($(now_ms) - t0)))
  ((remaining_ms > 5000)) || remaining_ms=5000
  if ! "$@" --timeout-ms "$remaining_ms"; then
    printf '[%s] ERROR: %s within %ss. Look at %s. Last log lines:\n' "$(_svc)" "$failure" "$timeout" "$logfile" >&2
    tail -n 30 "$logfile" >&2 || true
    exit 1
  fi
}

# require_java17 WHAT: dies unless java on PATH is 17 or newer (WHAT names what needs it).
require_java17() {
  require_cmd java
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
  [[ "${major%%.*}" -ge 17 ]] 2>/dev/null || die "$1 needs Java 17+, found '${major:-unknown}' (java on PATH: $(command -v java))"
}

# kafka_log4j_properties [LINE...]: a Kafka node's log4j.properties on stdout: warnings and errors, the broker's
# own start/stop lines, and each extra LINE.
kafka_log4j_properties() {
  cat <<PROPS
# Quiet: warnings and errors, plus the broker's own start/stop lines.
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
PROPS
  (($# == 0)) || printf '%s\n' "$@"
}

# single_node_kafka_properties DATA_DIR RETENTION_HOURS: the storage and replication lines of a one-node KRaft
# broker's server.properties (replication factor 1 everywhere), on stdout.
single_node_kafka_properties() {
  cat <<PROPS
log.dirs=$1
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
log.retention.hours=$2
PROPS
}

# note_foreign_listener PORT: after stopping ours, says that something else still listens on PORT (left alone).
note_foreign_listener() {
  if port_open "$1"; then
    log "note: something not started from this checkout still listens on 127.0.0.1:$1 ($(listener_of "$1")); left alone"
  fi
}

# already_started PIDFILE MARKER ADDRESS LOGFILE CHECK_CMD...: the start command's first step. 0 when our process
# runs and CHECK_CMD passes (nothing to start); dies when it runs but does not answer; else forgets a stale PIDFILE
# and returns 1 (start it).
already_started() {
  local pidfile=$1 marker=$2 address=$3 logfile=$4
  shift 4
  if pid_alive "$pidfile" "$marker"; then
    if "$@" >/dev/null 2>&1; then
      log "already running (pid $(<"$pidfile")) and ready at $address"
      return 0
    fi
    die "running (pid $(<"$pidfile")) but not answering on $address; look at $logfile, or run: $0 stop && $0 start"
  fi
  rm -f "$pidfile"
  return 1
}

# service_status PIDFILE MARKER PORT ADDRESS LOGFILE CHECK_CMD...: the status command of a service that a process
# from another checkout may serve on the same port. Exit 0 ready, 1 running but not answering, 3 stopped.
service_status() {
  local pidfile=$1 marker=$2 port=$3 address=$4 logfile=$5
  shift 5
  if ! pid_alive "$pidfile" "$marker"; then
    if port_open "$port" && "$@" >/dev/null 2>&1; then
      log "ready at $address, served by a process not started from this checkout ($(listener_of "$port"))"
      return 0
    fi
    log "stopped"
    return 3
  fi
  if "$@" >/dev/null 2>&1; then
    log "running (pid $(<"$pidfile")), ready at $address"
    return 0
  fi
  log "running (pid $(<"$pidfile")) but NOT answering at $address; look at $logfile"
  return 1
}

usage_die() {
  die "usage: $0 $1"
}
