#!/usr/bin/env bash
# The sign-in journey's wasm per function: the same build as bench/journey.mjs (scripts/wasm-build.sh,
# wasm-opt with scripts/build-pkg.sh's passes and feature flags), kept with names (-g --strip-dwarf)
# for twiggy, plus the shipped file's raw and gzip -9 size.
# Usage: bash bench/journey-twiggy.sh [N]   (top N, default 20; installs twiggy on first use)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
command -v twiggy >/dev/null || cargo install --locked twiggy
w=$(bash scripts/wasm-build.sh codes-only 2>/dev/null)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/journey-twiggy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags=(--merge-similar-functions -Oz --one-caller-inline-max-function-size=25 --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-call-indirect-overlong)
node_modules/.bin/wasm-opt "${flags[@]}" --strip-debug --strip-producers --strip-target-features "$w" -o "$tmp/engine.wasm"
node_modules/.bin/wasm-opt "${flags[@]}" -g --strip-dwarf "$w" -o "$tmp/named.wasm"
echo "engine.wasm: $(wc -c <"$tmp/engine.wasm") raw, $(gzip -9c "$tmp/engine.wasm" | wc -c) gzip -9 (command-line gzip)"
twiggy top -n "${1:-20}" "$tmp/named.wasm"
