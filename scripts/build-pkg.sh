#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   scripts/wasm-build.sh (cargo, wasm32, release: engine-wasm/ with every feature, a raw boundary,
#   no wasm-bindgen; core/alloc built from source with panics as bare traps)
#   -> wasm-opt (binaryen from npm; WASM_OPT_PASSES below) -> cognito_wasm_bg.wasm
#   + engine-wasm/js/runner.mjs as cognito_wasm.js (the CognitoAuth facade, which runs effects)
#     (with engine-wasm/js/hosted.mjs, the hosted UI's methods, and core.mjs, the effect loop and
#     the session API, bundled into the one file); the smaller entries: core-entry.mjs as
#     cognito_wasm_core.js (`cognito-wasm/core`, with its engine cognito_wasm_core.wasm) and
#     hosted-entry.mjs as cognito_wasm_core_hosted.js (`cognito-wasm/core-hosted`, with
#     cognito_wasm_core_hosted.wasm); core.mjs alone as cognito_wasm_base.js (for server.js)
#   + pkg-template/{package.json,README.md,index.d.ts,element.js,qr.js,element.d.ts,i18n/*.js,
#     react.js,react.d.ts,vue.js,vue.d.ts} (framework bindings: plain ES modules, peers not bundled)
#   + pkg-template/{server.js,server.d.ts} and cognito_wasm_server.wasm (`cognito-wasm/server`:
#     token verification in Node; never loaded by a browser)
# Needs what scripts/install-deps.sh installs (it does not run it itself).
# Env: SKIP_WASM_OPT=1 to skip the optimisation pass (debugging only).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
log() { printf '[build-pkg] %s\n' "$*" >&2; }

target_dir="${CARGO_TARGET_DIR:-target}"
out=pkg

rm -rf "$out"
mkdir -p "$out"
# One engine per feature set: the default (everything), two smaller builds a page can load
# instead (`init(new URL('cognito-wasm/cognito_wasm_signin.wasm', …))`), and the core engine
# of `cognito-wasm/core` (SRP sign-in, sessions, sign-out; the library's own errors carry
# their code only); and the server one (token verification only, for `cognito-wasm/server`
# in Node).
for tier in full:cognito_wasm_bg signin:cognito_wasm_signin hosted:cognito_wasm_hosted codes-only:cognito_wasm_core core-hosted:cognito_wasm_core_hosted server:cognito_wasm_server; do
  log "engine --features ${tier%%:*} (scripts/wasm-build.sh: cargo release, wasm32, core/alloc from source, panics as traps)"
  built=$(bash scripts/wasm-build.sh "${tier%%:*}")
  cp "$built" "$out/${tier##*:}.wasm"
done
# The JS: core.mjs (the effect loop and the session class) <- hosted.mjs (the hosted UI's
# methods) <- runner.mjs (the whole facade); the two smaller entries are core-entry.mjs and
# hosted-entry.mjs. Each entry ships as one file (esbuild --bundle, not minified): a page that
# loads it with a plain <script type="module"> fetches one module, not a chain of imports.
# Only an entry names a .wasm (`new URL(…, import.meta.url)` in its init()), so a bundler emits
# only that entry's engine. core.mjs also ships alone as cognito_wasm_base.js, which server.js
# imports (under a query string, for an engine of its own).
for m in core-entry:cognito_wasm_core hosted-entry:cognito_wasm_core_hosted runner:cognito_wasm; do
  node_modules/.bin/esbuild "engine-wasm/js/${m%%:*}.mjs" --bundle --format=esm --platform=neutral \
    --log-level=error --outfile="$out/${m##*:}.js"
done
cp engine-wasm/js/core.mjs "$out/cognito_wasm_base.js"
for f in cognito_wasm_core:cognito_wasm_core.wasm cognito_wasm_core_hosted:cognito_wasm_core_hosted.wasm cognito_wasm:cognito_wasm_bg.wasm; do
  names=$(grep -o "new URL([^)]*)" "$out/${f%%:*}.js" | sort -u || true)
  [[ "$names" == "new URL(\"${f##*:}\", import.meta.url)" ]] || { log "${f%%:*}.js must name ${f##*:} alone, names: $names"; exit 1; }
done
if grep -q "new URL(.\{1,80\}import.meta.url" "$out/cognito_wasm_base.js"; then log "the base module names a file"; exit 1; fi
if grep -q "^import\|^export .* from" "$out/cognito_wasm.js" "$out/cognito_wasm_core.js" "$out/cognito_wasm_core_hosted.js"; then log "an entry still imports a module"; exit 1; fi
if grep -q "from '[^']*\.mjs'" "$out"/cognito_wasm*.js; then log "a shipped module still imports an .mjs"; exit 1; fi

# Features rustc emits for wasm32-unknown-unknown (1.82+ enables multivalue and
# reference-types by default; bulk-memory etc. since 1.87). wasm-opt must accept them all,
# or it refuses to load the module / drops what it does not know.
WASM_OPT_FEATURES=(
  --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types
  --enable-multivalue --enable-call-indirect-overlong
)
# -Oz, after merging functions that differ only in constants, and inlining a function that
# has one caller only when it is small (25 instructions; binaryen's default inlines any size,
# which builds functions of 10-25 KB that gzip worse): -0.7 KB gzip on the core engine, -1.7 on
# core-hosted, -4.6 on the full one (BENCHMARKS.md). bench/journey-twiggy.sh uses the same passes.
WASM_OPT_PASSES=(--merge-similar-functions -Oz --one-caller-inline-max-function-size=25)
bg="$out/cognito_wasm_bg.wasm"
if [[ "${SKIP_WASM_OPT:-0}" != 1 ]]; then
  log "wasm-opt ${WASM_OPT_PASSES[*]} ($(node_modules/.bin/wasm-opt --version))"
  # Then the functions are put in an order that gzip compresses better (scripts/wasm-order.py:
  # alike bodies next to each other; -0.5 KB gzip on the core engine, -2.5 on the full one,
  # BENCHMARKS.md), and -Oz runs once more on the renumbered module.
  for w in "$out"/*.wasm; do
    node_modules/.bin/wasm-opt "${WASM_OPT_PASSES[@]}" "${WASM_OPT_FEATURES[@]}" \
      --strip-debug --strip-producers --strip-target-features "$w" -o "$w.opt"
    python3 scripts/wasm-order.py "$w.opt" "$w.named"
    node_modules/.bin/wasm-opt --reorder-functions-by-name "${WASM_OPT_PASSES[@]}" "${WASM_OPT_FEATURES[@]}" \
      --strip-debug --strip-producers --strip-target-features "$w.named" -o "$w"
    rm -f "$w.opt" "$w.named"
  done
fi

log "package files"
cp pkg-template/index.d.ts pkg-template/core.d.ts pkg-template/core-hosted.d.ts pkg-template/element.js pkg-template/qr.js pkg-template/element.d.ts \
  pkg-template/react.js pkg-template/react.d.ts pkg-template/vue.js pkg-template/vue.d.ts \
  pkg-template/server.js pkg-template/server.d.ts pkg-template/README.md "$out/"
mkdir -p "$out/i18n" && cp pkg-template/i18n/*.js "$out/i18n/"
version=$(sed -n '/^\[package\]/,/^\[/{s/^version *= *"\(.*\)"/\1/p}' Cargo.toml | head -n1)
PKG_VERSION="$version" node --input-type=module -e '
  import fs from "node:fs";
  const out = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync("pkg-template/package.json", "utf8"));
  pkg.version = process.env.PKG_VERSION;
  fs.writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
' "$out"

# The optimised module must still compile and instantiate with the runner.
node --input-type=module -e '
  import fs from "node:fs";
  import { pathToFileURL } from "node:url";
  const out = process.argv[1];
  for (const f of ["cognito_wasm_bg", "cognito_wasm_signin", "cognito_wasm_hosted", "cognito_wasm_core", "cognito_wasm_core_hosted", "cognito_wasm_server"]) {
    const bytes = fs.readFileSync(`${out}/${f}.wasm`);
    if (!WebAssembly.validate(bytes)) { console.error(`[build-pkg] optimised ${f}.wasm does not validate`); process.exit(1); }
    new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  }
  const m = await import(pathToFileURL(`${out}/cognito_wasm.js`).href);
  m.initSync({ module: fs.readFileSync(`${out}/cognito_wasm_bg.wasm`) });
  const c = await import(pathToFileURL(`${out}/cognito_wasm_core.js`).href);
  if (typeof c.CognitoAuth !== "function" || c.CognitoAuth.prototype.signIn === undefined) process.exit(1);
  const h = await import(pathToFileURL(`${out}/cognito_wasm_core_hosted.js`).href);
  if (typeof h.CognitoAuth.prototype.handleRedirectCallback !== "function" || typeof h.CognitoAuth.prototype.signIn !== "function") process.exit(1);
  const s = await import(pathToFileURL(`${out}/server.js`).href);
  const e = await s.createVerifier({ userPoolId: "us-east-1_x", clientId: "y" }).verifyAccessToken("a.b.c").catch((e) => e);
  if (e.code !== "TokenMalformed") { console.error(`[build-pkg] server.js: ${e.code ?? e}`); process.exit(1); }
' "$out"

size_line() {
  local f=$1
  printf '  %-28s %9d bytes raw  %9d bytes gzip -9\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
}
echo "pkg/ cognito-wasm@$version:"
size_line "$bg"
size_line "$out/cognito_wasm.js"
echo "smaller engines a page may load instead of cognito_wasm_bg.wasm:"
size_line "$out/cognito_wasm_signin.wasm"
size_line "$out/cognito_wasm_hosted.wasm"
echo "cognito-wasm/core (SRP sign-in, sessions, sign-out):"
size_line "$out/cognito_wasm_core.wasm"
size_line "$out/cognito_wasm_core.js"
echo "cognito-wasm/core-hosted (the same + the hosted UI; its engine also serves cognito_wasm.js):"
size_line "$out/cognito_wasm_core_hosted.wasm"
size_line "$out/cognito_wasm_core_hosted.js"
echo "drop-in add-on (cognito-wasm/element, loads the core only when a <cognito-login> connects):"
size_line "$out/element.js"
size_line "$out/qr.js"
for f in "$out"/i18n/*.js; do size_line "$f"; done
echo "framework bindings (cognito-wasm/react, cognito-wasm/vue; the framework is a peer):"
size_line "$out/react.js"
size_line "$out/vue.js"
echo "server (cognito-wasm/server, Node only: never shipped to a browser):"
size_line "$out/cognito_wasm_server.wasm"
size_line "$out/server.js"
