// Migrating signs nobody out: a session Amplify v6 (aws-amplify 6.22.1, bundled) stored is
// picked up by cognito-wasm (pkg/, on the same page) without a new sign-in, configured from the
// same Amplify configuration (CognitoAuth.fromAmplifyConfig); and tokens cognito-wasm then
// refreshes are the ones Amplify reads back (a rollback keeps the user signed in too).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, run, claims, POOL_ID, CLIENT_ID, ROOT } from './harness.mjs';

const T = { timeout: 120_000 };
let env;
before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => { await env.closePages(); });

test('an Amplify v6 session is cognito-wasm\'s, and back', T, async () => {
  const { page } = await env.open();
  await page.route(`${env.origin}/__pkg/**`, (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(path.join(ROOT, 'pkg', name)) });
  });
  const config = { Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: env.endpoint } } };
  await run(page, async (c) => {
    window.Amplify.configure(c);
    await window.auth.signIn({ username: 'demo', password: 'Demo-Passw0rd!' });
  }, config);
  const amplifyTokens = await run(page, async () => (await window.auth.fetchAuthSession()).tokens.accessToken.toString());
  const stats = async () => (await fetch(`${env.emulatorUrl}/_emulator/stats`)).json();
  const before = await stats();
  const r = await run(page, async (c) => {
    const m = await import('/__pkg/cognito_wasm.js');
    await m.default('/__pkg/cognito_wasm_bg.wasm');
    const auth = m.CognitoAuth.fromAmplifyConfig(c);
    window.cw = auth;
    const who = auth.getCurrentUser();
    const s = await auth.currentSession();
    return { who, access: s?.accessToken, sub: s?.idTokenClaims.sub };
  }, config);
  assert.equal(r.access, amplifyTokens, 'cognito-wasm uses the session Amplify stored');
  assert.deepEqual(r.who, { username: 'demo', userId: r.sub });
  const after = await stats();
  const signIns = (s) => Object.entries(s).filter(([k]) => k.startsWith('InitiateAuth')).reduce((n, [, v]) => n + v, 0);
  assert.ok(signIns(before) > 0, `Amplify's sign-in is counted: ${JSON.stringify(before)}`);
  assert.equal(signIns(after), signIns(before), 'no new sign-in');
  // cognito-wasm refreshes; Amplify reads what it stored.
  const refreshed = await run(page, async () => (await window.cw.currentSession({ forceRefresh: true })).accessToken);
  assert.notEqual(refreshed, amplifyTokens);
  const back = await run(page, async () => (await window.auth.fetchAuthSession()).tokens.accessToken.toString());
  assert.equal(back, refreshed, 'Amplify reads the tokens cognito-wasm refreshed');
  assert.equal(claims(back).username, 'demo');
});
