#!/usr/bin/env bash
# THE test command (README and .ci/run both use it). Runs everything in order, fails fast:
#   1. scripts/install-deps.sh            (toolchain target, wasm-bindgen-cli, chromium, npm ci)
#   2. lint: cargo fmt --check (workspace + fuzz/), cargo clippy -D warnings, native
#      (--all-targets) and wasm32 (the library and its browser tests, the engine boundary);
#      then cargo test --workspace       (native unit/integration tests, incl. the emulator);
#      then every fuzz target for 10 s (scripts/fuzz.sh smoke: installs cargo-fuzz if missing)
#   3. tests/vectors/generate.sh --check  (SRP vectors still match CIJ/pycognito), if present;
#      the SigV4 vectors against botocore; the WebAuthn fixtures re-verified with node crypto
#   4. the core's unit tests again on wasm32, in headless Chromium (wasm-bindgen-test:
#      cargo test --target wasm32-unknown-unknown --lib)
#   5. scripts/build-pkg.sh               (pkg/: engine-wasm + wasm-opt, the runner as the glue)
#   6. scripts/check-pkg.sh               (npm pack -> install in a fresh project -> import)
#   7. the Playwright e2e suite           (tests/e2e, demo page against the emulator; and
#                                          server.test.mjs: cognito-wasm/server in Node;
#                                          botocore-sts.test.mjs: botocore vs its STS)
#   8. tests/peers/run.sh                 (aws-amplify, amazon-cognito-identity-js and
#                                          oidc-client-ts in Chromium against the emulator)
#   9. tests/spa/run.sh                   (packed tarball in Vite/webpack/React/Vue apps + tsc --strict)
# Benchmarks are not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# A private TMPDIR for the whole run (Chromium profiles, npm pack, test servers).
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/cognito-wasm-test.XXXXXX")
export TMPDIR="$run_tmp"
timings=()
started=$SECONDS
current=""
finish() {
  local rc=$?
  rm -rf "$run_tmp"
  printf '\n===== summary =====\n'
  if [[ ${#timings[@]} -gt 0 ]]; then printf '%s\n' "${timings[@]}"; fi
  printf '%5ds  total\n' $((SECONDS - started))
  if [[ $rc -ne 0 ]]; then echo "FAILED in step: ${current:-?} (exit $rc)"; else echo "all test steps passed"; fi
}
trap finish EXIT

step() {
  local name=$1; shift
  local t0=$SECONDS
  current=$name
  printf '\n===== %s =====\n' "$name"
  "$@"
  timings+=("$(printf '%5ds  %s' $((SECONDS - t0)) "$name")")
  current=""
}

wasm_browser_tests_once() {
  local tmp rc=0
  tmp=$(mktemp -d)
  # Without debug info the test module is 4 MB instead of 33 MB: Chromium loads it in seconds
  # where the 33 MB one, on a loaded machine, could run past the 60 s page-load timeout.
  env TMPDIR="$tmp" \
    CARGO_PROFILE_DEV_DEBUG=0 \
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/scripts/webdriver.json" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --target wasm32-unknown-unknown --lib 2>&1 | tee "$run_tmp/wasm-tests.log" || rc=$?
  rm -rf "$tmp"
  return "$rc"
}

# Headless Chromium has been seen (once in many runs, under heavy load) to never finish
# loading the test page ("Timed out receiving message from renderer"), before any test ran.
# That infrastructure hang, and only that, gets one retry; a failing test never does.
wasm_browser_tests() {
  if wasm_browser_tests_once; then return 0; fi
  if grep -q "Failed to detect test as having been run" "$run_tmp/wasm-tests.log" \
     && ! grep -qE "^test .* FAILED|^failures:" "$run_tmp/wasm-tests.log"; then
    echo "!! the browser never loaded the test page (infrastructure hang): retrying once"
    wasm_browser_tests_once
  else
    return 1
  fi
}

vectors_check() {
  if [[ -f tests/vectors/generate.sh ]]; then
    bash tests/vectors/generate.sh --check
  else
    echo "tests/vectors/generate.sh not present: skipped"
  fi
}

e2e() {
  cargo build --profile emulator -p cognito-emulator
  node --test --test-concurrency=1 --test-reporter=spec tests/e2e/*.test.mjs
}

# The boundary's own tests under each engine build's features (what each build encodes).
tiers() {
  for f in full signin hosted server codes-only core-hosted; do
    cargo test -p cognito-wasm-engine --features "$f" --lib
  done
}

lint() {
  cargo fmt --all --check
  (cd fuzz && cargo fmt --check)
  cargo clippy --workspace --all-targets -- -D warnings
  cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
  cargo clippy --target wasm32-unknown-unknown --lib --profile test -- -D warnings
  cargo clippy --target wasm32-unknown-unknown -p cognito-wasm-engine --lib -- -D warnings
  for f in full signin hosted server codes-only core-hosted; do
    cargo clippy --target wasm32-unknown-unknown -p cognito-wasm-engine --features "$f" --lib -- -D warnings
  done
}

step "install deps" bash scripts/install-deps.sh
step "lint (rustfmt, clippy native + wasm32)" lint
step "cargo test --workspace (native)" cargo test --workspace
step "engine boundary tests for each engine build" tiers
step "fuzz targets, 10 s each (cargo-fuzz)" bash scripts/fuzz.sh smoke 10
step "SRP vectors --check" vectors_check
step "SigV4 vectors --check" bash tests/vectors/sigv4/generate.sh --check
step "WebAuthn fixtures --check" node tests/vectors/webauthn/gen-webauthn.mjs --check
step "wasm tests in headless Chromium" wasm_browser_tests
step "build pkg/" bash scripts/build-pkg.sh
step "npm pack + install + import check" bash scripts/check-pkg.sh
step "e2e (Playwright + emulator)" e2e
step "peers (Amplify, CIJ, oidc-client-ts vs the emulator)" bash tests/peers/run.sh
step "SPA consumers (Vite, webpack, React, Vue, tsc)" bash tests/spa/run.sh
