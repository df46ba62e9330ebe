// End-to-end checks behind SECURITY.md that no other suite makes, in headless Chromium against
// the emulator: hostile text from the server is rendered as text (element and raw-API demo),
// `storage: 'memory'` leaves nothing in any browser storage and nothing after a reload, and an
// authorization code injected into a tab's hosted-UI callback (with that tab's own state) is
// refused because it was issued to another PKCE verifier.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setup, CLIENT_ID, POOL_ID, USERS, cognitoKeys, openDemo, signIn, alertCode } from './harness.mjs';

const T = { timeout: 120_000 };
// Markup that would run (onerror) if anything parsed the server's text as HTML.
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
