#!/usr/bin/env bash
# Install (when needed) and start Kafka, PostgreSQL and the FHIR server; each waits until it really answers.
# Safe to run again: services already running are only checked.
set -euo pipefail
SERVICE=up
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_all=$(now_ms)
summary=()
for svc in postgres kafka fhir-server; do
  t0=$(now_ms)
  bash "$INFRA_DIR/$svc.sh" install
  bash "$INFRA_DIR/$svc.sh" start
  summary+=("$(printf '%-12s install+start %6ss' "$svc" "$(elapsed_s "$t0")")")
done

log "all services ready in $(elapsed_s "$t_all")s"
for line in "${summary[@]}"; do log "  $line"; done
log "  Kafka       127.0.0.1:${KAFKA_PORT:-9092}"
log "  PostgreSQL  postgres://radflow:radflow@127.0.0.1:${POSTGRES_PORT:-5432}/radflow"
log "  FHIR R4     http://127.0.0.1:${FHIR_SERVER_PORT:-8103}/fhir/R4"
