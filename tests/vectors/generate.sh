#!/usr/bin/env bash
# Regenerates tests/vectors/srp-vectors.json and device-vectors.json (remembered devices:
# ConfirmDevice verifiers and device SRP) from amazon-cognito-identity-js (npm, pinned in
# package.json / package-lock.json) and pycognito (PyPI, pinned in requirements.txt), plus the
# generator's own BigInt reference. Fails loudly if they disagree anywhere they should agree.
#
#   tests/vectors/generate.sh           regenerate and overwrite srp-vectors.json
#   tests/vectors/generate.sh --check   regenerate to a temp file, diff against the committed
#                                       srp-vectors.json / device-vectors.json, exit 1 on any
#                                       difference
#
# Installs into tests/vectors/node_modules and tests/vectors/.venv (both gitignored).
# Needs: node (20+), npm, python3 (3.11+) with venv; network access to npm and PyPI on first run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export LC_ALL=C TZ=UTC PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

MODE=write
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

OUT=srp-vectors.json
PYTHON=${PYTHON:-python3}

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---- node dependencies (exactly as locked)
want=$(hash_of package-lock.json)
if [[ ! -f node_modules/.vectors-stamp || "$(cat node_modules/.vectors-stamp)" != "$want" ]]; then
  echo "generate.sh: npm ci" >&2
  npm ci --no-audit --no-fund --ignore-scripts >&2
  echo "$want" > node_modules/.vectors-stamp
fi

# ---- python dependencies (exact pins)
want=$(hash_of requirements.txt)
if [[ ! -f .venv/.vectors-stamp || "$(cat .venv/.vectors-stamp)" != "$want" ]]; then
  echo "generate.sh: creating .venv" >&2
  "$PYTHON" -m venv --clear .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >&2
  echo "$want" > .venv/.vectors-stamp
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

node gen-inputs.mjs > "$TMP/inputs.json"
node gen-devices.mjs inputs > "$TMP/device-inputs.json"
node gen-devices.mjs cij "$TMP/device-inputs.json" > "$TMP/device-cij.json"
.venv/bin/python gen_devices_pycognito.py "$TMP/device-inputs.json" > "$TMP/device-pycognito.json"
node gen-devices.mjs merge "$TMP/device-inputs.json" "$TMP/device-cij.json" "$TMP/device-pycognito.json" \
  > "$TMP/device-vectors.json" || { echo "generate.sh: device vectors disagree" >&2; exit 1; }
node gen-cij.mjs "$TMP/inputs.json" > "$TMP/cij.json" &
cij_pid=$!
.venv/bin/python gen_pycognito.py "$TMP/inputs.json" > "$TMP/pycognito.json" &
py_pid=$!
wait "$cij_pid" || { echo "generate.sh: gen-cij.mjs failed" >&2; exit 1; }
wait "$py_pid" || { echo "generate.sh: gen_pycognito.py failed" >&2; exit 1; }

NODE_VERSION=$(node --version)
PY_VERSION=$(.venv/bin/python -c 'import platform; print(platform.python_version())')

if [[ $MODE == check ]]; then
  [[ -f device-vectors.json ]] || { echo "generate.sh --check: device-vectors.json does not exist" >&2; exit 1; }
  if cmp -s "$TMP/device-vectors.json" device-vectors.json; then
    echo "generate.sh --check: device-vectors.json is up to date" >&2
  else
    echo "generate.sh --check: device-vectors.json differs from a fresh generation:" >&2
    diff -u device-vectors.json "$TMP/device-vectors.json" | head -n 60 >&2 || true
    exit 1
  fi
  [[ -f $OUT ]] || { echo "generate.sh --check: $OUT does not exist" >&2; exit 1; }
  node merge.mjs "$TMP/inputs.json" "$TMP/cij.json" "$TMP/pycognito.json" "$NODE_VERSION" "$PY_VERSION" \
    --toolchain-from "$OUT" > "$TMP/$OUT"
  if cmp -s "$TMP/$OUT" "$OUT"; then
    echo "generate.sh --check: $OUT is up to date" >&2
  else
    echo "generate.sh --check: $OUT differs from a fresh generation:" >&2
    diff -u "$OUT" "$TMP/$OUT" | head -n 60 >&2 || true
    exit 1
  fi
else
  node merge.mjs "$TMP/inputs.json" "$TMP/cij.json" "$TMP/pycognito.json" "$NODE_VERSION" "$PY_VERSION" > "$TMP/$OUT"
  mv "$TMP/$OUT" "$OUT"
  mv "$TMP/device-vectors.json" device-vectors.json
  echo "generate.sh: wrote tests/vectors/$OUT and tests/vectors/device-vectors.json" >&2
fi
