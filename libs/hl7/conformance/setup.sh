#!/bin/sh
# Installs the two independent HL7 v2 parsers libs/hl7/src/conformance.test.ts reads radflow's messages with
# (idempotent): hl7apy (pinned in requirements.txt) into Debian's /usr/bin/python3, and the HAPI HL7v2 jars listed in
# hapi/pom.xml from Maven Central into .cache/hapi/libs. Needs python3-pip (models/training/setup.sh installs it),
# Java 17 and mvn, like infra/kafka.sh.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PY=/usr/bin/python3

want=$(sed -n 's/^hl7apy==//p' "$HERE/requirements.txt")
if [ "$($PY -c 'import importlib.metadata as m; print(m.version("hl7apy"))' 2>/dev/null || true)" != "$want" ]; then
  $PY -m pip install -q --break-system-packages --no-warn-script-location -r "$HERE/requirements.txt"
fi

LIBS="$ROOT/.cache/hapi/libs"
STAMP="$ROOT/.cache/hapi/pom.sha256"
digest=$(sha256sum "$HERE/hapi/pom.xml" | cut -d' ' -f1)
if [ ! -d "$LIBS" ] || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$digest" ]; then
  rm -rf "$LIBS.tmp"
  mvn -q -B -Dstyle.color=never -f "$HERE/hapi/pom.xml" -Dmaven.repo.local="$ROOT/.cache/hapi/m2" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  echo "$digest" >"$STAMP"
fi
echo "HL7 conformance parsers: hl7apy $want, HAPI HL7v2 $(ls "$LIBS" | sed -n 's/^hapi-base-\(.*\)\.jar$/\1/p')"
