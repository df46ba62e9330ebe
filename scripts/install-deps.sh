#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need. Idempotent: when all is
# present it only checks versions and returns in about a second.
#   - Rust target wasm32-unknown-unknown
#   - wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in Cargo.lock
#   - Debian's chromium + chromium-driver (browser tests, e2e)
#   - root npm devDependencies (playwright-core, binaryen's wasm-opt, esbuild,
#     amazon-cognito-identity-js) via `npm ci`
# tests/vectors installs its own tools through its generate.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"

log() { printf '[install-deps] %s\n' "$*" >&2; }

# --- Rust target -----------------------------------------------------------------------
installed_targets=$(rustup target list --installed)
if ! grep -qx 'wasm32-unknown-unknown' <<<"$installed_targets"; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- rustfmt + clippy (the lint step) ----------------------------------------------------
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  log "rustup component add rustfmt clippy"
  rustup component add rustfmt clippy
fi
# core/alloc's source, for the package's engines (scripts/wasm-build.sh: -Zbuild-std).
if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/core" ]]; then
  log "rustup component add rust-src"
  rustup component add rust-src || log "rust-src unavailable: the engines are built the plain way"
fi

# --- wasm-bindgen-cli ------------------------------------------------------------------
# The CLI must match the wasm-bindgen crate exactly (the schema is versioned).
wb_version=""
if [[ -f Cargo.lock ]]; then
  wb_version=$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock)
fi
if [[ -z "$wb_version" ]]; then
  # No lock file yet: fall back to the exact pin in Cargo.toml (wasm-bindgen = "=X.Y.Z").
  wb_version=$(sed -n 's/^wasm-bindgen *= *{ *version *= *"=\{0,1\}\([0-9.]*\)".*/\1/p; s/^wasm-bindgen *= *"=\{0,1\}\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
fi
if [[ -z "$wb_version" ]]; then
  log "cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml"; exit 1
fi
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
have_runner=$(command -v wasm-bindgen-test-runner >/dev/null 2>&1 && echo yes || echo no)
if [[ "$have_wb" != "$wb_version" || "$have_runner" != yes ]]; then
  log "cargo install wasm-bindgen-cli --version =$wb_version (have: ${have_wb:-none}); this takes several minutes"
  cargo install wasm-bindgen-cli --version "=$wb_version" --force
fi

# --- Chromium + chromedriver (Debian packages) -------------------------------------------
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  log "apt-get install chromium chromium-driver"
  if ! $SUDO apt-get install -y chromium chromium-driver; then
    log "install failed; apt-get update and retry"
    $SUDO apt-get update
    $SUDO apt-get install -y chromium chromium-driver
  fi
fi

# --- npm devDependencies -----------------------------------------------------------------
stamp=node_modules/.install-deps-stamp
want=$( (sha256sum package.json package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -x node_modules/.bin/wasm-opt ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

log "ok: $(wasm-bindgen --version), $(node_modules/.bin/wasm-opt --version), node $(node --version)"
