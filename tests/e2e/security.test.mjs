// End-to-end checks behind SECURITY.md that no other suite makes, in headless Chromium against
// the emulator: hostile text from the server is rendered as text (element and raw-API demo),
// `storage: 'memory'` leaves nothing in any browser storage and nothing after a reload, an
// authorization code injected into a tab's hosted-UI callback (with that tab's own state) is
// refused because it was issued to another PKCE verifier, two app clients in one tab do not
// take each other's callbacks, and every SRP sign-in sends a fresh ephemeral.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setup, CLIENT_ID, POOL_ID, USERS, cognitoKeys, openDemo, signIn, alertCode } from './harness.mjs';

const T = { timeout: 120_000 };
// Markup that would run (onerror) if anything parsed the server's text as HTML.
// A second app client of tests/fixtures/demo-pool.json without a secret (hosted UI allowed).
const OTHER_CLIENT = '3devicesclient00emulator01';
const HOSTILE = '<img src=x onerror="window.pwned=1"><b>bold</b>';

let env;
let page;
before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => {
  const errors = (page?.errors ?? []).map((e) => e.stack ?? String(e));
  await page?.context().close();
  page = null;
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

const hostileReply = (count) => env.control('faults', {
  target: 'InitiateAuth', status: 400, contentType: 'application/x-amz-json-1.1',
  body: JSON.stringify({ __type: 'HostileException', message: HOSTILE }), count,
});

test('XSS: markup in a server error message is shown as text by <cognito-login> and the raw-API demo, never parsed', T, async () => {
  await env.control('reset');
  await hostileReply(2);
  page = await env.newPage();
  await page.goto(`${env.webUrl}/dropin.html?${new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID })}`);
  await page.waitForSelector('cognito-login[screen="signIn"]');
  await page.getByTestId('field-username').fill(USERS.demo.username);
  await page.getByTestId('field-password').fill(USERS.demo.password);
  await page.getByTestId('submit').click();
  await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '');
  const shown = await page.evaluate(() => {
    const root = document.querySelector('cognito-login').shadowRoot;
    const e = root.querySelector('[data-testid=error]');
    return { text: e.textContent, code: e.dataset.code, elements: root.querySelectorAll('img, b').length, pwned: window.pwned ?? null };
  });
  assert.deepEqual(shown, { text: HOSTILE, code: 'HostileException', elements: 0, pwned: null });

  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  assert.equal(await page.getByTestId('error-message').textContent(), HOSTILE);
  assert.equal(await page.locator('#error img, #error b').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned ?? null), null);
});

test("storage 'memory': nothing in localStorage, sessionStorage or cookies while signed in; a reload forgets the session", T, async () => {
  await env.control('reset');
  page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const cfg = { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, storage: 'memory' };
  const r = await page.evaluate(async ({ cfg, user }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.auth = new m.CognitoAuth(cfg);
    const s = (await window.auth.signIn(user)).session;
    const now = await window.auth.currentSession();
    return { kind: window.auth.storageKind, user: s.username, same: now?.refreshToken === s.refreshToken,
      local: localStorage.length, session: sessionStorage.length, cookie: document.cookie };
  }, { cfg, user: { username: USERS.demo.username, password: USERS.demo.password } });
  assert.deepEqual(r, { kind: 'memory', user: 'demo', same: true, local: 0, session: 0, cookie: '' });
  assert.deepEqual(await page.context().cookies(), []);
  assert.deepEqual(await cognitoKeys(page), {});

  await page.reload();
  const after = await page.evaluate(async (cfg) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    return (await new m.CognitoAuth(cfg).currentSession()) === null;
  }, cfg);
  assert.equal(after, true, 'a new page has no session: the tokens lived only in the old page');
});

test('code injection: an attacker\'s code put in this tab\'s callback with this tab\'s state is refused (PKCE: invalid_grant)', T, async () => {
  await env.control('reset');
  page = await env.newPage();
  // The victim's tab starts a hosted-UI sign-in: its state and PKCE verifier stay in its sessionStorage.
  await openDemo(env, page);
  await page.getByTestId('hosted-signin').click();
  await page.waitForURL((u) => u.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`));
  const victim = new URL(page.url());
  // The attacker's own attempt, outside the browser: own verifier, own state and nonce, own account.
  const verifier = crypto.randomBytes(32).toString('base64url');
  const authorize = new URL(victim);
  authorize.searchParams.set('code_challenge', crypto.createHash('sha256').update(verifier).digest('base64url'));
  authorize.searchParams.set('state', 'attacker-state');
  authorize.searchParams.set('nonce', 'attacker-nonce');
  const txn = (await (await fetch(authorize)).text()).match(/name="txn" value="([^"]+)"/)[1];
  const login = await fetch(`${env.emulatorUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ txn, username: 'alice', password: USERS.alice.password, action: 'signin' }),
    redirect: 'manual',
  });
  assert.equal(login.status, 302);
  const code = new URL(login.headers.get('location')).searchParams.get('code');
  assert.ok(code);
  // Injected: the attacker's code with the victim's real state (so the state check passes).
  const tokenCalls = [];
  page.on('request', (r) => { if (r.url().endsWith('/oauth2/token')) tokenCalls.push(r.url()); });
  await page.goto(`${env.webUrl}/?${new URLSearchParams({ code, state: victim.searchParams.get('state') })}`);
  const { code: errorCode, text } = await alertCode(page);
  assert.equal(errorCode, 'invalid_grant', text);
  assert.equal(tokenCalls.length, 1, 'the code was presented once, with this tab\'s verifier');
  assert.deepEqual(await cognitoKeys(page), {}, 'no session for the attacker\'s account');
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
  assert.equal(page.url(), `${env.webUrl}/`, 'the code is gone from the address bar');
  // The refusal came from PKCE (the emulator's reason, as Cognito's check), not from a broken code.
  assert.match(text, /code_verifier does not match/);
});

/** Signs in at a hosted-UI authorize URL outside the browser; returns the callback URL. */
async function loginAt(authorizeUrl, user) {
  const txn = (await (await fetch(authorizeUrl)).text()).match(/name="txn" value="([^"]+)"/)?.[1];
  assert.ok(txn, `the login page of ${authorizeUrl}`);
  const r = await fetch(`${env.emulatorUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ txn, username: user.username, password: user.password, action: 'signin' }),
    redirect: 'manual',
  });
  assert.equal(r.status, 302);
  return r.headers.get('location');
}

test('two app clients in one tab: a callback for one client\'s attempt is refused by the other, and completes the first (no mix-up)', T, async () => {
  await env.control('reset');
  page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const cfg = (clientId) => ({ userPoolId: POOL_ID, clientId, endpoint: env.endpoint, domain: env.emulatorUrl,
    redirectSignIn: `${env.webUrl}/`, storage: 'memory' });
  const urls = await page.evaluate(async ({ a, b }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.A = new m.CognitoAuth(a);
    window.B = new m.CognitoAuth(b);
    return [window.A.authorizeUrl(), window.B.authorizeUrl()];
  }, { a: cfg(CLIENT_ID), b: cfg(OTHER_CLIENT) });
  assert.deepEqual(urls.map((u) => new URL(u).searchParams.get('client_id')), [CLIENT_ID, OTHER_CLIENT]);
  const callbackA = await loginAt(urls[0], USERS.alice);
  const r = await page.evaluate(async (u) => {
    const b = await window.B.handleRedirectCallback(u).then(() => 'accepted', (e) => e.code);
    const a = (await window.A.handleRedirectCallback(u)).session;
    return { b, a: { user: a.username, aud: a.idTokenClaims.aud }, bSession: await window.B.currentSession(),
      pending: Object.keys(sessionStorage).filter((k) => k.startsWith('cognito-wasm.hostedUI.')) };
  }, callbackA);
  // B refused A's callback and kept its own attempt; A completed with its own audience.
  assert.deepEqual(r, { b: 'InvalidState', a: { user: 'alice', aud: CLIENT_ID }, bSession: null, pending: [`cognito-wasm.hostedUI.${OTHER_CLIENT}`] });
});

test('SRP: every sign-in sends a new ephemeral A, so a recorded exchange cannot be replayed', T, async () => {
  await env.control('reset');
  page = await env.newPage();
  const sent = [];
  page.on('request', (r) => {
    if (r.headers()['x-amz-target']?.endsWith('.InitiateAuth')) sent.push(JSON.parse(r.postData()).AuthParameters?.SRP_A);
  });
  await page.goto(`${env.webUrl}/blank.html`);
  const users = await page.evaluate(async ({ cfg, user }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    const out = [];
    for (let i = 0; i < 3; i++) {
      const auth = new m.CognitoAuth(cfg);
      out.push((await auth.signIn(user)).session.username);
      await auth.signOut();
      auth.free();
    }
    return out;
  }, { cfg: { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, storage: 'memory' }, user: { username: USERS.demo.username, password: USERS.demo.password } });
  assert.deepEqual(users, ['demo', 'demo', 'demo']);
  assert.equal(sent.length, 3);
  for (const a of sent) assert.match(a, /^[0-9a-f]{600,768}$/, 'A is a 3072-bit hex number');
  assert.equal(new Set(sent).size, 3, 'three different ephemerals');
});
