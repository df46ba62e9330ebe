#!/usr/bin/env bash
# Regenerates tests/vectors/sigv4/sigv4-vectors.json with botocore (PyPI, exact pins in
# requirements.txt): SigV4Auth, S3SigV4Auth and S3SigV4QueryAuth at fixed times.
#
#   tests/vectors/sigv4/generate.sh           regenerate and overwrite sigv4-vectors.json
#   tests/vectors/sigv4/generate.sh --check   regenerate to a temp file and diff against the
#                                             committed file, exit 1 on any difference
#
# Installs into tests/vectors/sigv4/.venv (gitignored). Needs python3 (3.11+) with venv and
# network access to PyPI on first run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export LC_ALL=C TZ=UTC PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

MODE=write
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

OUT=sigv4-vectors.json
PYTHON=${PYTHON:-python3}
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -f .venv/.vectors-stamp || "$(cat .venv/.vectors-stamp)" != "$want" ]]; then
  echo "sigv4/generate.sh: creating .venv" >&2
  "$PYTHON" -m venv --clear .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >&2
  echo "$want" > .venv/.vectors-stamp
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
.venv/bin/python gen_sigv4.py > "$TMP/$OUT"
if [[ $MODE == check ]]; then
  [[ -f $OUT ]] || { echo "sigv4/generate.sh --check: $OUT does not exist" >&2; exit 1; }
  # The Python version is provenance, not content: compare everything else.
  strip() { grep -v '"python":' "$1"; }
  if diff -u <(strip "$OUT") <(strip "$TMP/$OUT") > "$TMP/diff"; then
    echo "sigv4/generate.sh --check: $OUT is up to date" >&2
  else
    echo "sigv4/generate.sh --check: $OUT differs from a fresh generation:" >&2
    head -n 60 "$TMP/diff" >&2
    exit 1
  fi
else
  mv "$TMP/$OUT" "$OUT"
  echo "sigv4/generate.sh: wrote tests/vectors/sigv4/$OUT" >&2
fi
