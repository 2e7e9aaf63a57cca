#!/usr/bin/env bash
# Runs a command (the soak) against its own PostgreSQL and FHIR server, so that its PostgreSQL restart and FHIR freeze
# never touch the shared ones of infra/up.sh (5432, 8103) that other work uses. Starts them when needed (a second
# cluster under .cache/soak-services/postgres on SOAK_POSTGRES_PORT, a second in-memory FHIR server on
# SOAK_FHIR_PORT), exports what the apps and the infra/ scripts read, and runs the command:
#   test/soak/own-services.sh npm run soak -- --cluster --all-faults --reports 600 ...
#   test/soak/own-services.sh stop      stops both
# Kafka: use --cluster (the soak's own three brokers, infra/kafka-cluster.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOME_DIR="$ROOT/.cache/soak-services"
export POSTGRES_PORT=${SOAK_POSTGRES_PORT:-5442}
export POSTGRES_HOME_DIR="$HOME_DIR/postgres"
export FHIR_SERVER_PORT=${SOAK_FHIR_PORT:-8113}
export FHIR_SERVER_HOME_DIR="$HOME_DIR/fhir-server"
export DATABASE_URL="postgres://radflow:radflow@127.0.0.1:$POSTGRES_PORT/radflow"
export FHIR_BASE_URL="http://127.0.0.1:$FHIR_SERVER_PORT/fhir/R4"

if [[ "${1:-}" == stop ]]; then
  bash "$ROOT/infra/fhir-server.sh" stop
  bash "$ROOT/infra/postgres.sh" stop
  exit 0
fi
(($#)) || { echo "usage: $0 <command...> | stop" >&2; exit 2; }
bash "$ROOT/infra/postgres.sh" start
bash "$ROOT/infra/fhir-server.sh" start
cd "$ROOT"
exec "$@"
