#!/usr/bin/env bash
# A SECOND single-node Apache Kafka 3.9.1 broker (KRaft, broker + controller in one JVM) that accepts clients only
# over TLS with SASL/SCRAM-SHA-512, for the test that runs radflow's pipeline through a secured cluster. It runs
# beside the main PLAINTEXT broker of infra/kafka.sh (127.0.0.1:9092), never touches it, and uses the jars that
# infra/kafka.sh installs.
#   start    make a CA and a broker certificate (openssl, or keytool from the JDK), format storage with the
#            SCRAM users, start the broker, wait until kafkajs can authenticate and run a transaction
#   stop     stop this broker (data, certificates and users kept)
#   status   exit 0 ready, 1 running but not answering, 3 stopped
#   env      print the client settings (KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*) as KEY=VALUE lines
#   clean    stop, then delete .cache/kafka-secure (certificates, users and data are made anew on the next start)
# Listeners: SASL_SSL on 127.0.0.1:9192 for clients AND between brokers (the broker authenticates to itself as SCRAM
# user `broker`, e.g. for transaction markers); the KRaft controller listener is PLAINTEXT on 127.0.0.1:9193 only.
# No authorizer: every authenticated user may do everything (the test is about transport and authentication).
# Env: KAFKA_SECURE_PORT (9192), KAFKA_SECURE_CONTROLLER_PORT (9193), KAFKA_SECURE_HEAP (384m),
#      KAFKA_SECURE_START_TIMEOUT_S (120), KAFKA_SECURE_CERT_TOOL (openssl when installed, else keytool).
set -euo pipefail
SERVICE=kafka-secure
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=${KAFKA_SECURE_PORT:-9192}
CONTROLLER_PORT=${KAFKA_SECURE_CONTROLLER_PORT:-9193}
HEAP=${KAFKA_SECURE_HEAP:-384m}
START_TIMEOUT_S=${KAFKA_SECURE_START_TIMEOUT_S:-120}
CLIENT_USER=radflow
BROKER_USER=broker

MAIN_LIBS_DIR="$CACHE_DIR/kafka/libs"
HOME_DIR="$CACHE_DIR/kafka-secure"
DATA_DIR="$HOME_DIR/data"
CONF_DIR="$HOME_DIR/conf"
TLS_DIR="$HOME_DIR/tls"
SECRETS_DIR="$HOME_DIR/secrets"
LOG_DIR="$HOME_DIR/logs"
LOG_FILE="$LOG_DIR/kafka.log"
PID_FILE="$HOME_DIR/kafka.pid"
CLIENT_ENV="$HOME_DIR/client.env"
CA_PEM="$TLS_DIR/ca.pem"
READY_SCRIPT="$INFRA_DIR/kafka-secure/ready.mjs"
# Appears on this broker's command line only (the main broker's is .cache/kafka/conf/server.properties).
PROC_MARKER="$CONF_DIR/server.properties"

# secret NAME -> a random alphanumeric secret kept in $SECRETS_DIR/NAME (made once; SCRAM users and keystores use them).
secret() {
  local file="$SECRETS_DIR/$1"
  if [[ ! -s "$file" ]]; then
    local value
    value=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    (umask 077 && mkdir -p "$SECRETS_DIR" && printf '%s' "${value:0:32}" >"$file")
  fi
  cat "$file"
}

ensure_jars() {
  if ! compgen -G "$MAIN_LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
    log "Kafka jars missing; installing them with infra/kafka.sh install (the main broker is not started)"
    bash "$INFRA_DIR/kafka.sh" install
  fi
  require_cmd java
}

SAN="127.0.0.1 and localhost"

# The CA and the broker's certificate with openssl (three commands, well under a second).
certificates_openssl() {
  local store_pass=$1 ext="$TLS_DIR/broker.ext"
  printf '%s\n' 'basicConstraints=CA:FALSE' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth,clientAuth' >"$ext"
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$TLS_DIR/ca.key" -out "$CA_PEM" \
    -subj "/CN=radflow kafka-secure test CA" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$TLS_DIR/broker.key" -out "$TLS_DIR/broker.csr" \
    -subj '/CN=localhost'
  openssl x509 -req -sha256 -days 825 -in "$TLS_DIR/broker.csr" -CA "$CA_PEM" -CAkey "$TLS_DIR/ca.key" \
    -CAcreateserial -extfile "$ext" -out "$TLS_DIR/broker.pem"
  openssl pkcs12 -export -name broker -in "$TLS_DIR/broker.pem" -inkey "$TLS_DIR/broker.key" -certfile "$CA_PEM" \
    -passout "pass:$store_pass" -out "$TLS_DIR/broker.p12"
  rm -f "$TLS_DIR/broker.key" "$TLS_DIR/broker.csr" "$TLS_DIR/ca.srl" "$ext"
}

# The same with the JDK's keytool, which Kafka's Java always brings (eight JVM starts: 10-20 s on a busy machine).
certificates_keytool() {
  local store_pass=$1
  local -a kt=(keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -noprompt -storetype PKCS12
    -storepass "$store_pass" -keypass "$store_pass")
  "${kt[@]}" -genkeypair -keystore "$TLS_DIR/ca.p12" -alias ca -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=radflow kafka-secure test CA" -ext bc:c
  "${kt[@]}" -exportcert -rfc -keystore "$TLS_DIR/ca.p12" -alias ca -file "$CA_PEM"
  "${kt[@]}" -genkeypair -keystore "$TLS_DIR/broker.p12" -alias broker -keyalg RSA -keysize 2048 -validity 825 \
    -dname "CN=localhost" -ext "SAN=ip:127.0.0.1,dns:localhost"
  "${kt[@]}" -certreq -keystore "$TLS_DIR/broker.p12" -alias broker -file "$TLS_DIR/broker.csr"
  "${kt[@]}" -gencert -keystore "$TLS_DIR/ca.p12" -alias ca -infile "$TLS_DIR/broker.csr" \
    -outfile "$TLS_DIR/broker.pem" -rfc -validity 825 -ext "SAN=ip:127.0.0.1,dns:localhost" \
    -ext "KU=digitalSignature,keyEncipherment" -ext "EKU=serverAuth,clientAuth"
  "${kt[@]}" -importcert -keystore "$TLS_DIR/broker.p12" -alias ca -file "$CA_PEM"
  "${kt[@]}" -importcert -keystore "$TLS_DIR/broker.p12" -alias broker -file "$TLS_DIR/broker.pem"
  rm -f "$TLS_DIR/broker.csr"
}

# A CA and a broker certificate for 127.0.0.1 / localhost signed by it: the broker's key and chain in a PKCS12
# keystore, the CA as PEM (the broker's truststore, and what clients are given). openssl when installed (Debian's
# ca-certificates depends on it), else keytool (KAFKA_SECURE_CERT_TOOL=openssl|keytool chooses). Made once.
make_certificates() {
  if [[ -s "$TLS_DIR/broker.p12" && -s "$CA_PEM" ]]; then
    return 0
  fi
  local tool=${KAFKA_SECURE_CERT_TOOL:-}
  if [[ -z "$tool" ]]; then
    tool=keytool
    command -v openssl >/dev/null 2>&1 && tool=openssl
  fi
  [[ "$tool" == openssl || "$tool" == keytool ]] || die "KAFKA_SECURE_CERT_TOOL must be openssl or keytool"
  require_cmd "$tool"
  local store_pass t0
  t0=$(now_ms)
  store_pass=$(secret keystore-password)
  rm -rf "$TLS_DIR" && mkdir -p "$TLS_DIR" && chmod 700 "$TLS_DIR"
  # errexit holds inside the subshell only when its status is not tested (if/||): so set +e around it, not `if !`.
  local rc=0
  set +e
  (
    set -e
    "certificates_$tool" "$store_pass"
  ) >"$LOG_DIR/certificates.log" 2>&1
  rc=$?
  set -e
  if ((rc != 0)) || [[ ! -s "$TLS_DIR/broker.p12" || ! -s "$CA_PEM" ]]; then
    tail -n 20 "$LOG_DIR/certificates.log" >&2 || true
    rm -rf "$TLS_DIR"
    die "$tool could not make the certificates; full log: $LOG_DIR/certificates.log"
  fi
  chmod 644 "$CA_PEM"
  log "made a CA and a broker certificate for $SAN with $tool in $TLS_DIR in $(elapsed_s "$t0")s"
}

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
  local store_pass broker_pass
  store_pass=$(secret keystore-password)
  broker_pass=$(secret broker-password)
  (
    umask 077
    cat >"$CONF_DIR/server.properties" <<PROPS
# Generated by infra/kafka-secure.sh; edits are overwritten on start. Holds secrets: mode 600.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=SASL_SSL://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$BROKER_USER" password="$broker_pass";
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$store_pass
ssl.key.password=$store_pass
ssl.truststore.type=PEM
ssl.truststore.location=$CA_PEM
ssl.enabled.protocols=TLSv1.3,TLSv1.2
ssl.endpoint.identification.algorithm=https
ssl.client.auth=none
PROPS
    single_node_kafka_properties "$DATA_DIR" 24 >>"$CONF_DIR/server.properties"
  )
  # Also failed authentications.
  kafka_log4j_properties 'log4j.logger.org.apache.kafka.common.network.Selector=INFO' >"$CONF_DIR/log4j.properties"
  (
    umask 077
    cat >"$CLIENT_ENV" <<ENV
KAFKA_BROKERS=127.0.0.1:$PORT
KAFKA_SSL=true
KAFKA_SSL_CA_FILE=$CA_PEM
KAFKA_SASL_MECHANISM=scram-sha-512
KAFKA_SASL_USERNAME=$CLIENT_USER
KAFKA_SASL_PASSWORD=$(secret client-password)
ENV
  )
}

java_cmd() {
  # A small test broker: the C1 compiler only and the serial collector start faster on a busy 2-core machine.
  printf '%s\n' java "-Xms64m" "-Xmx$HEAP" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Djava.awt.headless=true "-Dlog4j.configuration=file:$CONF_DIR/log4j.properties" \
    "-Dkafka.logs.dir=$LOG_DIR" -cp "$MAIN_LIBS_DIR/*"
}

# The SCRAM users exist from the first start: KRaft writes them into the metadata log at format time (Kafka >= 3.5).
format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local -a cmd
  mapfile -t cmd < <(java_cmd)
  local cluster_id
  cluster_id=$("${cmd[@]}" kafka.tools.StorageTool random-uuid)
  log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id) with SCRAM-SHA-512 users $CLIENT_USER and $BROKER_USER"
  run_logged "$LOG_DIR/format.log" "formatting storage" \
    "${cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONF_DIR/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=$CLIENT_USER,password=$(secret client-password)]" \
    --add-scram "SCRAM-SHA-512=[name=$BROKER_USER,password=$(secret broker-password)]"
}

# Where the running broker listens: the address its last start wrote for clients (KAFKA_SECURE_PORT may have moved it).
address() {
  local line
  line=$(grep -m1 '^KAFKA_BROKERS=' "$CLIENT_ENV" 2>/dev/null || true)
  printf '%s' "${line#KAFKA_BROKERS=}"
  [[ -n "$line" ]] || printf '127.0.0.1:%s' "$PORT"
}

ready_check() {
  require_cmd node
  [[ -s "$CLIENT_ENV" ]] || return 1
  (
    set -a
    # shellcheck disable=SC1090
    source "$CLIENT_ENV"
    set +a
    node "$READY_SCRIPT" "$@"
  )
}

cmd_start() {
  local t0
  t0=$(now_ms)
  if already_started "$PID_FILE" "$PROC_MARKER" "SASL_SSL $(address)" "$LOG_FILE" ready_check --timeout-ms 20000; then
    return 0
  fi
  local port
  for port in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$port"; then
      die "port $port on 127.0.0.1 is taken by a process this script did not start ($(listener_of "$port")). Stop it, or set KAFKA_SECURE_PORT / KAFKA_SECURE_CONTROLLER_PORT."
    fi
  done
  ensure_jars
  mkdir -p "$LOG_DIR"
  make_certificates
  write_config
  format_storage
  local -a cmd
  mapfile -t cmd < <(java_cmd)
  printf '\n===== start %s =====\n' "$(date -Is)" >>"$LOG_FILE"
  start_detached "$PID_FILE" "$LOG_FILE" "${cmd[@]}" kafka.Kafka "$CONF_DIR/server.properties"
  log "started pid $(<"$PID_FILE"); waiting for a SCRAM-authenticated transaction over TLS on 127.0.0.1:$PORT (log: $LOG_FILE)"
  wait_ready "$START_TIMEOUT_S" "secure Kafka broker" "$PID_FILE" "$LOG_FILE" port_open "$PORT"
  probe_after_start "$t0" "$START_TIMEOUT_S" "$LOG_FILE" \
    "broker is listening but kafkajs could not authenticate and produce/consume" ready_check
  log "ready at SASL_SSL 127.0.0.1:$PORT (SCRAM-SHA-512 user $CLIENT_USER, CA $CA_PEM) in $(elapsed_s "$t0")s"
}

cmd_stop() {
  stop_pidfile "$PID_FILE" "secure Kafka broker" 60 "$PROC_MARKER"
}

cmd_status() {
  if ! pid_alive "$PID_FILE" "$PROC_MARKER"; then
    log "stopped"
    return 3
  fi
  if ready_check --timeout-ms 15000 >/dev/null 2>&1; then
    log "running (pid $(<"$PID_FILE")), ready at SASL_SSL $(address)"
    return 0
  fi
  log "running (pid $(<"$PID_FILE")) but NOT answering on $(address); look at $LOG_FILE"
  return 1
}

cmd_env() {
  [[ -s "$CLIENT_ENV" ]] || die "no client settings yet: run $0 start"
  cat "$CLIENT_ENV"
}

cmd_clean() {
  cmd_stop
  rm -rf "$HOME_DIR"
  log "removed $HOME_DIR"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  clean) cmd_clean ;;
  *) usage_die "start|stop|status|env|clean" ;;
esac
