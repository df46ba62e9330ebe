// Sessions are shared with amazon-cognito-identity-js (same localStorage layout), so apps can
// migrate without signing anyone out. CIJ 6.3 is bundled for the page with esbuild.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { setup, openDemo, signIn, cognitoKeys, CLIENT_ID, POOL_ID, KEY_PREFIX, USERS } from './harness.mjs';

const T = { timeout: 90_000 };
let env;
let page;
let cijBundle;

before(async () => {
  const out = await build({
    stdin: {
      contents: "export { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';",
      resolveDir: process.cwd(),
    },
    bundle: true, format: 'iife', globalName: 'CIJ', platform: 'browser',
    define: { global: 'globalThis' }, write: false, logLevel: 'error',
  });
  cijBundle = out.outputFiles[0].text;
  env = await setup();
}, { timeout: 120_000 });
after(async () => { await env?.close(); });
beforeEach(async () => {
  await env.control('reset');
  page = await env.newPage();
});
afterEach(async () => {
  const errors = page.errors.map((e) => e.stack ?? String(e));
  await page.context().close();
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

const poolConfig = () => ({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: env.endpoint });

test('a session stored by amazon-cognito-identity-js is picked up by cognito-wasm', T, async () => {
  await openDemo(env, page);
  await page.addScriptTag({ content: cijBundle });
  const idToken = await page.evaluate(({ cfg, user }) => new Promise((resolve, reject) => {
    const pool = new CIJ.CognitoUserPool(cfg);
    const u = new CIJ.CognitoUser({ Username: user.username, Pool: pool });
    u.authenticateUser(new CIJ.AuthenticationDetails({ Username: user.username, Password: user.password }), {
      onSuccess: (s) => resolve(s.getIdToken().getJwtToken()),
      onFailure: (e) => reject(new Error(`${e.code}: ${e.message}`)),
    });
  }), { cfg: poolConfig(), user: USERS.demo });
  assert.equal((await cognitoKeys(page))[`${KEY_PREFIX}${CLIENT_ID}.LastAuthUser`], 'demo');

  await page.reload();
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="signed-out"]');
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-in', 'cognito-wasm sees the CIJ session');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'demo');
  const session = await page.evaluate(() => window.cognitoDemo.auth.currentSession());
  assert.equal(session.idToken, idToken);
});

test('a session stored by cognito-wasm is picked up by amazon-cognito-identity-js', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.alice.email, USERS.alice.password);
  await page.waitForSelector('body[data-state="signed-in"]');
  const keys = await cognitoKeys(page);
  await page.addScriptTag({ content: cijBundle });
  const cij = await page.evaluate((cfg) => new Promise((resolve, reject) => {
    const user = new CIJ.CognitoUserPool(cfg).getCurrentUser();
    if (!user) return resolve(null);
    user.getSession((err, s) => (err ? reject(new Error(`${err.code}: ${err.message}`)) : resolve({
      username: user.getUsername(), valid: s.isValid(), idToken: s.getIdToken().getJwtToken(),
    })));
  }), poolConfig());
  assert.ok(cij, 'CIJ finds a current user');
  assert.equal(cij.username, 'alice');
  assert.equal(cij.valid, true, 'CIJ considers the session valid');
  assert.equal(cij.idToken, keys[`${KEY_PREFIX}${CLIENT_ID}.alice.idToken`]);
});
