#!/usr/bin/env bash
# SPA consumers of the npm package, installed the way users install it (scripts/test.sh runs this):
#   1. npm pack pkg/ (run scripts/build-pkg.sh first)
#   2. in each fixture (vite-app, webpack-app, react-app, vue-app, types): npm ci (exact pins, committed lockfile),
#      then npm install --no-save of the fresh tarball (never committed)
#   3. vite-app: tsc --noEmit + vite build; webpack-app: webpack --mode production;
#      react-app, vue-app (the framework bindings): tsc --noEmit --strict over the app and
#      src/typings.ts(x) (react.d.ts / vue.d.ts and the elements' JSX / GlobalComponents
#      typings), vite build (client) and vite build --ssr (dist-ssr, rendered by ssr.mjs)
#   4. types: tsc --noEmit --strict over usage.ts (index.d.ts), element-usage.ts (element.d.ts)
#      and server-usage.ts (server.d.ts); node check-exports.mjs (initSync + every declared export / CognitoAuth
#      member exists at runtime, and nothing public is undeclared; the same for
#      cognito-wasm/element and CognitoLoginElement)
#      tsc --checkJs --strict over the engine's runner (engine-wasm/js/runner.mjs)
#   5. node --test signin.test.mjs: the BUILT apps sign in against the emulator in headless
#      Chromium (react-app and vue-app also refresh and sign out across two tabs, and render
#      once on the server in Node without touching window or wasm) (needs target/<profile>/emulator/cognito-emulator: cargo build --profile emulator -p cognito-emulator)
set -euo pipefail
cd "$(dirname "$0")"
spa=$(pwd)
root=$(cd ../.. && pwd)
log() { printf '[spa] %s\n' "$*" >&2; }
t0=$SECONDS
lap() { log "$1 ($((SECONDS - t0))s)"; }

export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
[[ -f "$root/pkg/package.json" ]] || { log "pkg/ is missing: run scripts/build-pkg.sh"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cognito-wasm-spa.XXXXXX")
trap 'rm -rf "$work"' EXIT

tarball="$work/$(cd "$work" && npm pack "$root/pkg" --silent | tail -n1)"
lap "packed $(basename "$tarball")"

for app in vite-app webpack-app react-app vue-app types; do
  (
    cd "$spa/$app"
    rm -rf dist
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    npm install --no-save --no-audit --no-fund --offline --loglevel=error "$tarball" >/dev/null
    # The installed copy must be the tarball just packed, not something left over.
    cmp -s node_modules/cognito-wasm/cognito_wasm_bg.wasm "$root/pkg/cognito_wasm_bg.wasm" \
      || { echo "[spa] $app: installed cognito-wasm is not the freshly packed one" >&2; exit 1; }
  )
  lap "$app: npm ci + tarball installed"
done

(cd vite-app && npx --no-install tsc --noEmit -p tsconfig.json && npx --no-install vite build --logLevel warn)
lap "vite-app: tsc + vite build"
(cd webpack-app && npx --no-install webpack --mode production --stats errors-warnings)
lap "webpack-app: webpack build"
for app in react-app:tsx vue-app:ts; do
  (
    cd "${app%%:*}"
    rm -rf dist-ssr
    npx --no-install tsc --noEmit -p tsconfig.json
    npx --no-install vite build --logLevel warn
    npx --no-install vite build --ssr "src/entry-server.${app##*:}" --outDir dist-ssr --logLevel warn
  )
  lap "${app%%:*}: tsc + vite build + vite build --ssr"
done

(cd types && npx --no-install tsc --noEmit --strict -p tsconfig.json)
lap "types: tsc --noEmit --strict usage.ts element-usage.ts server-usage.ts core-usage.ts"
# The engine's hand-written runner is `// @ts-check` JSDoc: type-checked with the same pinned
# TypeScript (strict, DOM lib), so a wrong Web API call or wire field fails here.
types/node_modules/.bin/tsc -p "$root/engine-wasm/js/tsconfig.json"
lap "engine runner: tsc --checkJs --strict engine-wasm/js/*.mjs"
(cd types && node check-exports.mjs)
lap "types: runtime export check"

(cd "$root" && cargo build --quiet --profile emulator -p cognito-emulator)
lap "emulator built"
node --test --test-concurrency=1 --test-reporter=spec signin.test.mjs
lap "built apps signed in in Chromium"
