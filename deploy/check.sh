#!/usr/bin/env bash
# Offline validation of deploy/: the Helm chart (lint, render, Kubernetes schemas, bad values)
# and the Compose file (compose-spec schema). No cluster, no Docker engine, no network after
# the first run, which installs requirements-deploy.lock (hashed) into .venv-deploy.
#
#   bash deploy/check.sh [--out DIR]     # rendered manifests go to DIR (default var/deploy-check)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
VENV=${DEPLOY_VENV:-.venv-deploy}
LOCK=requirements-deploy.lock
STAMP=$VENV/.installed
started=$(date +%s)

# The stamp holds the lock's hash: a changed lock rebuilds the venv, an unchanged one is reused.
want=$({ sha256sum "$LOCK" 2>/dev/null || shasum -a 256 "$LOCK"; } | cut -d' ' -f1)
if [[ ! -x $VENV/bin/python || "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
    echo "deploy-check: installing $LOCK into $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$LOCK"
    echo "$want" >"$STAMP"
fi

"$VENV/bin/python" deploy/checks/chart.py "$@"

"$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml
echo "compose: deploy/compose.yaml matches the compose-spec schema"

echo "deploy-check: ok in $(($(date +%s) - started))s"
