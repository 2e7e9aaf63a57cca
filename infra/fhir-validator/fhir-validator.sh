#!/usr/bin/env bash
# The HAPI FHIR instance validator (8.6.5, R4, offline) behind FhirValidatorCli.java, for the conformance test of
# what radflow writes (test/writeback/writeback-conformance.test.ts).
#   install          compile FhirValidatorCli.java and copy its runtime jars from Maven Central into
#                    .cache/fhir-validator (skipped when pom.xml and the source are unchanged; offline once cached)
#   validate PATH... validate every *.json under each PATH (file or folder); one JSON line per file on stdout
#   command          print the java command line (one argument per line) that validate runs
set -euo pipefail
SERVICE=fhir-validator
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

SRC_DIR="$INFRA_DIR/fhir-validator"
POM="$SRC_DIR/pom.xml"
SOURCE="$SRC_DIR/FhirValidatorCli.java"
HOME_DIR="$CACHE_DIR/fhir-validator"
LIBS_DIR="$HOME_DIR/libs"
BUILD_DIR="$HOME_DIR/build"
M2_DIR="$HOME_DIR/m2"
LOG_FILE="$HOME_DIR/install.log"
INSTALL_MARKER="$HOME_DIR/.installed"

digest() { cat "$POM" "$SOURCE" | sha256sum | cut -d' ' -f1; }

installed() {
  [[ -f "$INSTALL_MARKER" && "$(<"$INSTALL_MARKER")" == "$(digest)" && -f "$BUILD_DIR/classes/FhirValidatorCli.class" ]]
}

build() {
  mvn -q -B "$@" -f "$POM" -Dmaven.repo.local="$M2_DIR" -Dvalidator.build.dir="$BUILD_DIR" \
    compile dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR.tmp" >>"$LOG_FILE" 2>&1
}

cmd_install() {
  local t0
  t0=$(now_ms)
  require_java17 "the FHIR validator"
  if installed; then
    log "HAPI FHIR validator already built in $HOME_DIR (cached; took $(elapsed_s "$t0")s)"
    return 0
  fi
  require_cmd mvn
  mkdir -p "$HOME_DIR"
  : >"$LOG_FILE"
  log "building the HAPI FHIR validator CLI (jars from Maven Central, local repository $M2_DIR)"
  rm -rf "$LIBS_DIR.tmp" "$BUILD_DIR"
  # Offline first when the local repository has the jars already; online when that is not enough.
  if ! { [[ -d "$M2_DIR/ca/uhn/hapi/fhir/hapi-fhir-validation" ]] && build -o; } && ! build; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "maven could not build the validator; full log: $LOG_FILE"
  fi
  rm -rf "$LIBS_DIR"
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
  digest >"$INSTALL_MARKER"
  log "built: $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $(elapsed_s "$t0")s"
}

# Serial GC and the C1 compiler only: the validator runs seconds, not hours; this halves its start on 2 cores.
java_command() {
  printf '%s\n' java -Xss4m -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$BUILD_DIR/classes:$LIBS_DIR/*" FhirValidatorCli
}

case "${1:-}" in
  install) cmd_install ;;
  validate)
    shift
    installed || cmd_install >&2
    mapfile -t cmd < <(java_command)
    exec "${cmd[@]}" "$@"
    ;;
  command) installed || die "not built: run $0 install"; java_command ;;
  *) usage_die "install|validate PATH...|command" ;;
esac
