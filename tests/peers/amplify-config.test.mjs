// CognitoAuth.fromAmplifyConfig's mapping (configFromAmplify, decided in the engine:
// src/engine/amplify.rs) against Amplify's own reading of the same files: for every fixture in
// fixtures/amplify/ (amplify_outputs.json of Gen 2 and aws-exports.js of Gen 1, with and without
// OAuth, identity pool and MFA), @aws-amplify/core's parseAmplifyConfig (aws-amplify 6.22.1, the
// pin in package.json) gives the ResourcesConfig, and every member the mapping produces is
// compared with it; the redirect chosen for a page is compared with Amplify's getRedirectUrl
// for the same location. The ResourcesConfig itself maps to the same configuration. Node only,
// with pkg/ (scripts/build-pkg.sh).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAmplifyConfig } from '@aws-amplify/core/internals/utils';
import { getRedirectUrl } from '@aws-amplify/auth/cognito';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const dir = path.join(here, 'fixtures', 'amplify');
let m;

before(async () => {
  m = await import(pathToFileURL(path.join(root, 'pkg', 'cognito_wasm.js')).href);
  m.initSync({ module: fs.readFileSync(path.join(root, 'pkg', 'cognito_wasm_bg.wasm')) });
});

async function load(file) {
  const p = path.join(dir, file);
  return file.endsWith('.json') ? JSON.parse(fs.readFileSync(p, 'utf8')) : (await import(pathToFileURL(p).href)).default;
}

/** Runs `f` with `location` (ours) and `window.location` (Amplify's) set to `url`. */
function at(url, f) {
  const u = url ? new URL(url) : null;
  const loc = u && { origin: u.origin, pathname: u.pathname, hostname: u.hostname, href: u.href };
  const saved = [globalThis.location, globalThis.window];
  try {
    if (loc) { globalThis.location = loc; globalThis.window = { location: loc }; }
    return f();
  } finally {
    [globalThis.location, globalThis.window] = saved;
  }
}

const amplifyPick = (redirects) => { try { return getRedirectUrl(redirects); } catch { return undefined; } };
// Amplify's choice there: under the page's origin and path, else on its host name, else none.
const PAGES = ['http://localhost:3000/', 'https://app.example/auth/callback', 'https://app.example/settings', 'http://localhost:5173/x', 'https://other.example/'];
const files = fs.readdirSync(dir).sort();

test('the fixtures are Gen 1 and Gen 2, with and without OAuth, identity pool and MFA', () => {
  assert.ok(files.filter((f) => f.endsWith('.json')).length >= 3 && files.filter((f) => f.endsWith('.js')).length >= 3, `${files}`);
});

for (const file of files) {
  test(`${file}: every mapped member is what parseAmplifyConfig read`, async () => {
    const raw = await load(file);
    const parsed = parseAmplifyConfig(raw);
    const c = parsed.Auth.Cognito;
    const oauth = c.loginWith?.oauth;
    const ours = m.configFromAmplify(raw);
    const expected = {
      userPoolId: c.userPoolId,
      clientId: c.userPoolClientId,
      ...(c.identityPoolId ? { identityPoolId: c.identityPoolId } : {}),
      ...(oauth?.domain ? {
        domain: `https://${oauth.domain}`,
        ...(oauth.redirectSignIn?.length ? { redirectSignIn: oauth.redirectSignIn[0] } : {}),
        ...(oauth.redirectSignOut?.length ? { redirectSignOut: oauth.redirectSignOut[0] } : {}),
        ...(oauth.scopes ? { scopes: oauth.scopes } : {}),
      } : {}),
      ...(c.mfa ? { mfa: { status: c.mfa.status, totpEnabled: !!c.mfa.totpEnabled, smsEnabled: !!c.mfa.smsEnabled } } : {}),
    };
    assert.deepEqual(ours, expected);
    // Amplify's parsed ResourcesConfig maps to the same configuration, and carries the
    // endpoints only it has.
    assert.deepEqual(m.configFromAmplify(parsed), expected);
    const withEndpoints = structuredClone(parsed);
    withEndpoints.Auth.Cognito.userPoolEndpoint = 'http://127.0.0.1:9229/';
    if (c.identityPoolId) withEndpoints.Auth.Cognito.identityPoolEndpoint = 'http://127.0.0.1:9230/';
    const e = m.configFromAmplify(withEndpoints);
    assert.equal(e.endpoint, 'http://127.0.0.1:9229/');
    assert.equal(e.identityEndpoint, c.identityPoolId ? 'http://127.0.0.1:9230/' : undefined);
    // On a page: the redirect Amplify would use there, or none where Amplify refuses.
    if (oauth?.domain) {
      for (const page of PAGES) {
        const [r, amp] = at(page, () => [m.configFromAmplify(raw), [amplifyPick(oauth.redirectSignIn), amplifyPick(oauth.redirectSignOut)]]);
        assert.deepEqual([r.redirectSignIn, r.redirectSignOut], amp, page);
      }
    }
    // And it is a configuration the client accepts.
    const auth = m.CognitoAuth.fromAmplifyConfig(raw, { storage: 'memory' });
    assert.equal(auth.getCurrentUser(), null);
    auth.free();
  });
}

test('what Amplify would not read either is a typed error', () => {
  for (const bad of [{}, { userPoolId: 'x' }, { version: '1' }, { version: '1', auth: { user_pool_id: 5 } }, null, [1]]) {
    assert.throws(() => m.configFromAmplify(bad), (e) => e.code === 'InvalidInput' && e instanceof Error, JSON.stringify(bad));
  }
});
