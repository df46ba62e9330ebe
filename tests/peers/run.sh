#!/usr/bin/env bash
# The peer suite (scripts/test.sh runs this): AWS's own clients against the emulator.
#   1. npm ci in tests/peers (aws-amplify, amazon-cognito-identity-js, oidc-client-ts at exact
#      pins, committed lockfile); skipped while package files and node are unchanged
#   2. cargo build --profile emulator -p cognito-emulator (a no-op after the e2e step)
#   3. node --test tests/peers/*.test.mjs: the clients bundled with esbuild (root
#      devDependency) in headless Chromium (playwright-core) against private emulators
# See tests/peers/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
log() { printf '[peers] %s\n' "$*" >&2; }

stamp=tests/peers/node_modules/.install-stamp
want=$( (sha256sum tests/peers/package.json tests/peers/package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  log "npm ci (tests/peers)"
  (cd tests/peers && npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
fi
cargo build --profile emulator -p cognito-emulator
node --test --test-concurrency=1 --test-reporter=spec tests/peers/*.test.mjs
