#!/usr/bin/env bash
# Independent peer test: the flows moto supports, through the built package (pkg/) in Node,
# against moto_server (PyPI, pinned in requirements.txt) on 127.0.0.1.
# Installs moto into tests/peer/.venv (gitignored) on first run or when the pin changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=${PYTHON:-python3}
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -f .venv/.peer-stamp || "$(cat .venv/.peer-stamp)" != "$want" ]]; then
  echo "tests/peer: installing moto into .venv" >&2
  "$PYTHON" -m venv --clear .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >&2
  echo "$want" > .venv/.peer-stamp
fi
[[ -f ../../pkg/cognito_wasm.js ]] || { echo "tests/peer: pkg/ missing: run scripts/build-pkg.sh" >&2; exit 1; }
exec node --test --test-reporter=spec moto.test.mjs
