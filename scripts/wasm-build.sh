#!/usr/bin/env bash
# Builds one engine (engine-wasm/, cargo release, wasm32) and prints the .wasm's path.
# Usage: bash scripts/wasm-build.sh FEATURES
#
# The package's engines are built with core and alloc compiled from source and panics as bare
# traps (`-Zbuild-std=core,alloc`, `-Cpanic=immediate-abort`; the stable toolchain accepts both
# with RUSTC_BOOTSTRAP=1 and the rust-src component, which scripts/install-deps.sh adds). A
# panic was a trap already (`panic = "abort"` in Cargo.toml; the engine is written not to
# panic): what goes is the panic message formatting and its location strings, ≈ 2 KB gzip per
# engine (BENCHMARKS.md). core and alloc keep opt-level 3, as the precompiled ones have.
# When the toolchain refuses those flags the engine is built the plain stable way instead,
# and that is said on stderr (WASM_PLAIN=1 asks for the plain build).
# Its own target directory (target/wasm-min), so that these flags do not rebuild target/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
features=$1
target_dir="${CARGO_TARGET_DIR:-target}"
min_dir="$target_dir/wasm-min"
log() { printf '[wasm-build] %s\n' "$*" >&2; }

if [[ "${WASM_PLAIN:-0}" != 1 ]]; then
  if RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" CARGO_TARGET_DIR="$min_dir" \
    cargo build -p cognito-wasm-engine --features "$features" --release --target wasm32-unknown-unknown \
      -Z build-std=core,alloc \
      --config 'profile.release.package.core.opt-level=3' \
      --config 'profile.release.package.alloc.opt-level=3' \
      --config 'profile.release.package.compiler_builtins.opt-level=3' >&2; then
    echo "$min_dir/wasm32-unknown-unknown/release/cognito_wasm_engine.wasm"
    exit 0
  fi
  log "the toolchain refused -Zbuild-std / -Cpanic=immediate-abort: plain build (≈ 2 KB gzip larger per engine)"
fi
cargo build -p cognito-wasm-engine --features "$features" --release --target wasm32-unknown-unknown >&2
echo "$target_dir/wasm32-unknown-unknown/release/cognito_wasm_engine.wasm"
