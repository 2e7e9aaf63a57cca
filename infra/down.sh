#!/usr/bin/env bash
# Stop the FHIR server, Kafka and PostgreSQL started by infra/up.sh. Data under .cache/ is kept
# (the FHIR server's is in memory and goes with it).
set -euo pipefail
SERVICE=down
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

failed=()
for svc in fhir-server kafka postgres; do
  bash "$INFRA_DIR/$svc.sh" stop || failed+=("$svc")
done
if ((${#failed[@]})); then
  die "could not stop: ${failed[*]} (see the messages above)"
fi
log "all services stopped"
