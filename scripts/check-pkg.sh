#!/usr/bin/env bash
# Packs pkg/ with `npm pack`, installs the tarball into a fresh temporary project (as a
# user would), and checks that it imports under Node ESM, instantiates with initSync from
# the wasm bytes, and constructs a CognitoAuth; that cognito-wasm/server loads and refuses a
# malformed token; then bundles an app with esbuild.
# Run scripts/build-pkg.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[check-pkg] %s\n' "$*" >&2; }

[[ -f pkg/package.json ]] || { log "pkg/ is missing: run scripts/build-pkg.sh"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cognito-wasm-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "npm pack pkg/"
tarball=$(cd "$work" && npm pack "$root/pkg" --silent | tail -n1)
listing=$(tar -tzf "$work/$tarball" | sort)
sed 's/^/  /' <<<"$listing"
for f in package/package.json package/cognito_wasm.js package/cognito_wasm_base.js package/cognito_wasm_bg.wasm package/cognito_wasm_signin.wasm package/cognito_wasm_hosted.wasm package/cognito_wasm_core.js package/cognito_wasm_core.wasm package/cognito_wasm_core_hosted.wasm package/cognito_wasm_core_hosted.js package/core-hosted.d.ts package/core.d.ts package/index.d.ts package/element.js package/qr.js package/i18n/es.js package/i18n/fr.js package/i18n/de.js package/i18n/pt.js package/i18n/ja.js package/i18n/zh.js package/element.d.ts package/react.js package/react.d.ts package/vue.js package/vue.d.ts package/server.js package/server.d.ts package/cognito_wasm_server.wasm package/README.md; do
  grep -qx "$f" <<<"$listing" || { log "tarball lacks $f"; exit 1; }
done

mkdir "$work/app"
cd "$work/app"
printf '{"name":"pack-check","version":"0.0.0","private":true,"type":"module"}\n' > package.json
log "npm install $tarball (fresh project)"
npm install --no-audit --no-fund --offline "$work/$tarball" >/dev/null

log "node: import + initSync + new CognitoAuth"
cat > check.mjs <<'JS'
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import init, { initSync, CognitoAuth } from 'cognito-wasm';
import assert from 'node:assert/strict';

assert.equal(typeof init, 'function', 'default export init');
assert.equal(typeof initSync, 'function', 'initSync export');
const wasmPath = fileURLToPath(import.meta.resolve('cognito-wasm/cognito_wasm_bg.wasm'));
initSync({ module: fs.readFileSync(wasmPath) });
const auth = new CognitoAuth({
  userPoolId: 'us-east-1_EmuPool01',
  clientId: '7f3kq2m9emulatorclient0001',
  endpoint: 'http://127.0.0.1:9/',
  storage: 'memory',
});
assert.equal(typeof auth.signIn, 'function');
assert.equal(typeof auth.currentSession, 'function');
assert.equal(typeof auth.signOut, 'function');
assert.equal(auth.storageKind, 'memory');
// Default storage is localStorage; where there is none (Node) the client falls back to memory.
const dflt = new CognitoAuth({ userPoolId: 'us-east-1_EmuPool01', clientId: '7f3kq2m9emulatorclient0001' });
if (typeof globalThis.localStorage === 'undefined') assert.equal(dflt.storageKind, 'memory');
dflt.free();
assert.equal(await auth.currentSession(), null, 'nobody signed in');
auth.free();
const meta = JSON.parse(fs.readFileSync(new URL(import.meta.resolve('cognito-wasm/package.json')), 'utf8'));
console.log(`ok: cognito-wasm@${meta.version} imports, instantiates and constructs CognitoAuth under Node ${process.version}`);
JS
node check.mjs

log "node: import cognito-wasm/core + initSync with cognito_wasm_core.wasm"
node --input-type=module -e '
  import assert from "node:assert/strict";
  import fs from "node:fs";
  import { fileURLToPath } from "node:url";
  const m = await import("cognito-wasm/core");
  m.initSync({ module: fs.readFileSync(fileURLToPath(import.meta.resolve("cognito-wasm/cognito_wasm_core.wasm"))) });
  const auth = new m.CognitoAuth({ userPoolId: "us-east-1_EmuPool01", clientId: "7f3kq2m9emulatorclient0001", storage: "memory" });
  assert.equal(auth.respondToChallenge, undefined, "the core entry has only the session API");
  assert.equal(await auth.currentSession(), null);
  await assert.rejects(auth.signIn({ username: "u" }), (e) => e.code === "InvalidInput");
  auth.free();
  console.log("ok: cognito-wasm/core signs nobody in and refuses a sign-in without a password");
'

log "node: import cognito-wasm/core-hosted + initSync with cognito_wasm_core_hosted.wasm"
node --input-type=module -e '
  import assert from "node:assert/strict";
  import fs from "node:fs";
  import { fileURLToPath } from "node:url";
  const m = await import("cognito-wasm/core-hosted");
  const core = await import("cognito-wasm/core");
  m.initSync({ module: fs.readFileSync(fileURLToPath(import.meta.resolve("cognito-wasm/cognito_wasm_core_hosted.wasm"))) });
  const auth = new m.CognitoAuth({ userPoolId: "us-east-1_EmuPool01", clientId: "7f3kq2m9emulatorclient0001", storage: "memory",
    domain: "https://auth.example.com", redirectSignIn: "https://app.example.com/callback" });
  for (const k of Object.getOwnPropertyNames(core.CognitoAuth.prototype)) assert.equal(typeof auth[k] === "function" || k === "storageKind", true, `the core entry s ${k}`);
  assert.equal(auth.respondToChallenge, undefined, "no challenges in this entry");
  assert.equal(auth.getAwsCredentials, undefined, "no identity pool in this entry");
  const u = new URL(auth.authorizeUrl());
  assert.equal(u.origin + u.pathname, "https://auth.example.com/oauth2/authorize");
  assert.equal(u.searchParams.get("code_challenge_method"), "S256");
  assert.equal(u.searchParams.get("redirect_uri"), "https://app.example.com/callback");
  assert.equal(await auth.currentSession(), null);
  auth.free();
  console.log("ok: cognito-wasm/core-hosted builds an authorize URL (PKCE S256) on its own engine");
'

log "node: import cognito-wasm/element (no DOM: defines nothing, exports the classes)"
node --input-type=module -e '
  import assert from "node:assert/strict";
  const m = await import("cognito-wasm/element");
  for (const k of ["CognitoLoginElement", "CognitoSignedInElement", "CognitoSignedOutElement", "CognitoUserElement", "CognitoSignOutElement", "getAccessToken"])
    assert.equal(typeof m[k], "function", k);
  assert.equal(await m.getAccessToken(), null);
  console.log("ok: cognito-wasm/element exports", Object.keys(m).length, "names");
'

log "node: cognito-wasm/server (createVerifier; a malformed token is refused without a fetch)"
node --input-type=module -e '
  import assert from "node:assert/strict";
  import { createVerifier } from "cognito-wasm/server";
  const v = createVerifier({ userPoolId: "us-east-1_EmuPool01", clientId: "7f3kq2m9emulatorclient0001", endpoint: "http://127.0.0.1:9/" });
  for (const [t, code] of [["a.b.c", "TokenMalformed"], [5, "InvalidInput"]]) {
    const e = await v.verifyAccessToken(t).then(() => null, (e) => e);
    assert.equal(e?.code, code);
    assert.equal(e.name, code);
  }
  assert.throws(() => createVerifier({ userPoolId: "nope", clientId: "x" }), (e) => e.code === "InvalidInput");
  console.log("ok: cognito-wasm/server verifies (and refuses) under Node", process.version);
'

log "esbuild: bundle an app that imports cognito-wasm"
cat > app.js <<'JS'
import init, { CognitoAuth } from 'cognito-wasm';
await init();
export const auth = new CognitoAuth({ userPoolId: 'us-east-1_x', clientId: 'y' });
JS
"$root/node_modules/.bin/esbuild" app.js --bundle --format=esm --platform=browser \
  --outfile=out/app.js --log-level=warning
test -s out/app.js
log "ok"
