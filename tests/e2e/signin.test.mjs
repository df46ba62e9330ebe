// End-to-end: the demo page (www-demo) + pkg/ in headless Chromium against the emulator.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, openDemo, signIn, cognitoKeys, alertCode, CLIENT_ID, POOL_ID, KEY_PREFIX, USERS,
} from './harness.mjs';

const T = { timeout: 90_000 };
const LAST_AUTH_USER = `${KEY_PREFIX}${CLIENT_ID}.LastAuthUser`;
const tokenKey = (user, kind) => `${KEY_PREFIX}${CLIENT_ID}.${user}.${kind}`;

let env;
let page;

before(async () => { env = await setup(); }, { timeout: 120_000 });
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

async function assertNoError(page) {
  const box = page.getByTestId('error');
  if (await box.isVisible()) assert.fail(`unexpected error: ${await box.textContent()}`);
}

function jwtPayload(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `a JWT has 3 parts: ${token}`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

test('correct password: signed in, claims shown, tokens stored, survives reload', T, async () => {
  await openDemo(env, page);
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
  assert.equal(await page.getByTestId('config-storage').textContent(), 'local');
  await signIn(page, USERS.demo.username, USERS.demo.password);
  await assertNoError(page);
  await page.getByTestId('session').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'demo');
  assert.equal(await page.getByTestId('claim-email').textContent(), USERS.demo.email);
  assert.equal(await page.getByTestId('session-username').textContent(), 'demo');
  assert.ok(await page.getByTestId('claim-expiresAt').isVisible(), 'token expiry shown');

  const keys = await cognitoKeys(page);
  assert.equal(keys[LAST_AUTH_USER], 'demo');
  const id = jwtPayload(keys[tokenKey('demo', 'idToken')]);
  assert.equal(id['cognito:username'], 'demo');
  assert.equal(id.email, USERS.demo.email);
  jwtPayload(keys[tokenKey('demo', 'accessToken')]);

  await page.reload();
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="signed-out"]');
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-in', 'session survives a reload');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'demo');
  assert.equal(await page.getByTestId('signin-form').isVisible(), false);
});

test("storage: 'session' keeps tokens in sessionStorage only", T, async () => {
  await openDemo(env, page, { storage: 'session' });
  assert.equal(await page.getByTestId('config-storage').textContent(), 'session');
  await signIn(page, USERS.demo.username, USERS.demo.password);
  await assertNoError(page);
  await page.waitForSelector('body[data-state="signed-in"]');
  assert.deepEqual(await cognitoKeys(page), {}, 'nothing in localStorage');
  const keys = await cognitoKeys(page, 'sessionStorage');
  assert.equal(keys[LAST_AUTH_USER], 'demo');
  jwtPayload(keys[tokenKey('demo', 'idToken')]);
  await page.reload();
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="signed-out"]');
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-in', 'survives a reload in the same tab');
});

test('wrong password: NotAuthorizedException, nothing stored', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, 'Wrong-Passw0rd!');
  const { code, text } = await alertCode(page);
  assert.equal(code, 'NotAuthorizedException', text);
  assert.deepEqual(await cognitoKeys(page), {}, 'no CognitoIdentityServiceProvider.* key');
  assert.ok(await page.getByTestId('signin-form').isVisible(), 'the form stays');
  assert.equal(await page.getByTestId('session').isVisible(), false);
});

test('sign in by email alias: signed in as alice', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.alice.email, USERS.alice.password);
  await assertNoError(page);
  await page.getByTestId('session').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'alice');
  assert.equal(await page.getByTestId('session-username').textContent(), 'alice');
  assert.equal(await page.getByTestId('claim-email').textContent(), USERS.alice.email);
  const keys = await cognitoKeys(page);
  assert.equal(keys[LAST_AUTH_USER], 'alice');
  jwtPayload(keys[tokenKey('alice', 'idToken')]);
});

test('unconfirmed user: UserNotConfirmedException', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.pending.username, USERS.pending.password);
  const { code, text } = await alertCode(page);
  assert.equal(code, 'UserNotConfirmedException', text);
  assert.deepEqual(await cognitoKeys(page), {});
});

test('sign-out: keys removed, form back', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  await page.getByTestId('session').waitFor({ state: 'visible' });
  assert.ok(Object.keys(await cognitoKeys(page)).length > 0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForSelector('body[data-state="signed-out"]');
  await page.getByTestId('signin-form').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('session').isVisible(), false);
  const keys = await cognitoKeys(page);
  for (const k of Object.keys(keys)) {
    assert.ok(!k.startsWith(`${KEY_PREFIX}${CLIENT_ID}.demo.`), `token key left after sign-out: ${k}`);
  }
  assert.equal(keys[LAST_AUTH_USER], undefined, 'LastAuthUser removed');
  await page.reload();
  await page.waitForSelector('body[data-state="signed-out"]');
});

test('HTML 500 on InitiateAuth: typed error, then a retry signs in', T, async (t) => {
  // InitiateAuth is safe to repeat, so the library itself tries 3 times with backoff
  // (account.test.mjs covers that): the fault lasts for all 3.
  await env.control('faults', {
    target: 'InitiateAuth', status: 500, contentType: 'text/html', body: '<html>oops</html>', count: 3,
  });
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const { code, text } = await alertCode(page);
  assert.match(code, /^[A-Z][A-Za-z]+$/, `a typed error code, got: ${text}`);
  assert.notEqual(code, 'UnexpectedError', text);
  t.diagnostic(`HTML 500 reported as: ${text}`);
  assert.deepEqual(await cognitoKeys(page), {});

  // Same error through the raw API: an Error with code, name, status 500, retryable.
  await env.control('faults', {
    target: 'InitiateAuth', status: 500, contentType: 'text/html', body: '<html>oops</html>', count: 3,
  });
  const raw = await page.evaluate(async (cfg) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    const auth = new m.CognitoAuth(cfg);
    try {
      await auth.signIn({ username: 'demo', password: 'Demo-Passw0rd!' });
      return { resolved: true };
    } catch (e) {
      return { isError: e instanceof Error, code: e.code, name: e.name, status: e.status, retryable: e.retryable };
    } finally {
      auth.free();
    }
  }, { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, storage: 'memory' });
  assert.equal(raw.isError, true, JSON.stringify(raw));
  assert.equal(raw.code, code, JSON.stringify(raw));
  assert.equal(raw.name, code);
  assert.equal(raw.status, 500, JSON.stringify(raw));
  assert.equal(raw.retryable, true, JSON.stringify(raw));

  // The fault is used up: the next attempt succeeds.
  await signIn(page, USERS.demo.username, USERS.demo.password);
  await page.waitForSelector('body[data-state="signed-in"]');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'demo');
});

test('raw API in the page: rejections are Error instances with code and name', T, async () => {
  await openDemo(env, page);
  const r = await page.evaluate(async ({ cfg }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    const out = {};
    const describe = (e) => ({
      isError: e instanceof Error, code: e.code, name: e.name, message: e.message,
      retryable: e.retryable, status: e.status,
    });
    const auth = new m.CognitoAuth(cfg);
    out.storageKind = auth.storageKind;
    auth.prepareSignIn();
    try {
      await auth.signIn({ username: 'demo', password: 'not-the-password' });
      out.wrong = { resolved: true };
    } catch (e) { out.wrong = describe(e); }
    try {
      await auth.signIn({ username: 'demo', password: 'Demo-Passw0rd!' });
      out.session = await auth.currentSession();
      await auth.signOut();
      out.afterSignOut = await auth.currentSession();
    } catch (e) { out.ok = describe(e); }
    auth.free();

    // A closed port: fetch fails -> NetworkError.
    const dead = new m.CognitoAuth({ ...cfg, endpoint: 'http://127.0.0.1:9/' });
    try {
      await dead.signIn({ username: 'demo', password: 'Demo-Passw0rd!' });
      out.network = { resolved: true };
    } catch (e) { out.network = describe(e); }
    dead.free();
    return out;
  }, { cfg: { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, storage: 'memory' } });

  assert.equal(r.storageKind, 'memory');
  assert.equal(r.wrong.isError, true, JSON.stringify(r.wrong));
  assert.equal(r.wrong.code, 'NotAuthorizedException');
  assert.equal(r.wrong.name, 'NotAuthorizedException');
  assert.equal(typeof r.wrong.message, 'string');
  assert.equal(r.wrong.retryable, false);
  assert.equal(r.ok, undefined, `sign-in through the raw API failed: ${JSON.stringify(r.ok)}`);
  assert.equal(r.session.username, 'demo');
  assert.equal(r.session.idTokenClaims['cognito:username'], 'demo');
  assert.ok(r.session.expiresAt > Date.now(), 'expiresAt in the future');
  assert.equal(r.afterSignOut, null);
  assert.equal(r.network.isError, true, JSON.stringify(r.network));
  assert.equal(r.network.code, 'NetworkError', JSON.stringify(r.network));
  assert.equal(r.network.name, 'NetworkError');
  assert.equal(r.network.retryable, true);
  // storage: 'memory' must not touch localStorage.
  assert.deepEqual(await cognitoKeys(page), {});
});
