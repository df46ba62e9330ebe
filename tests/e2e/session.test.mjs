// Session lifecycle end to end: refresh single flight across 5 tabs (with and without Web
// Locks, with rotation), the fault matrix, clock skew, blocked storage, cross-tab events,
// sign-out with revocation, the hosted-UI refresh grant, background refresh.
// The package API is driven in www-demo/blank.html (no demo app on the page).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, CLIENT_ID, POOL_ID, KEY_PREFIX, USERS } from './harness.mjs';

const T = { timeout: 120_000 };
const P = `${KEY_PREFIX}${CLIENT_ID}`;
let env;
let contexts = [];

before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
beforeEach(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  contexts = [];
  await env.control('reset');
});

async function stats() {
  const r = await fetch(`${env.emulatorUrl}/_emulator/stats`);
  return r.json();
}
const n = (s, k) => s[k] ?? 0;

async function api(op, body) {
  const r = await fetch(`${env.endpoint}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** A context with `count` pages, each with `window.auth` and `window.events`. */
async function openPages(count, config = {}, initScript) {
  const context = await env.browser.newContext();
  contexts.push(context);
  if (initScript) await context.addInitScript(initScript);
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e));
    await page.goto(`${env.webUrl}/blank.html`);
    await start(page, config);
    pages.push(page);
  }
  return pages;
}

async function start(page, config) {
  await page.evaluate(async (cfg) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.CognitoAuth = m.CognitoAuth;
    window.events = [];
    window.auth = new m.CognitoAuth(cfg);
    window.unsubscribe = window.auth.onAuthStateChange((e) => window.events.push({
      type: e.type, token: e.session?.accessToken ?? null, code: e.error?.code ?? null, at: Date.now(),
    }));
  }, { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, ...config });
}

async function signIn(page, user = USERS.demo) {
  const r = await page.evaluate(({ username, password }) => auth.signIn({ username, password }), user);
  assert.equal(r.type, 'signedIn');
  return r.session;
}

/** Signs in with tokens that expire in `ttl` s, then lets them expire (refreshes get 1 h tokens). */
async function signInExpired(page, ttl = 2) {
  await env.control('config', { tokenTtlSeconds: ttl });
  const s = await signIn(page);
  await env.control('config', { tokenTtlSeconds: 3600 });
  await new Promise((r) => setTimeout(r, ttl * 1000 + 300));
  return s;
}

const events = (page) => page.evaluate(() => window.events.map((e) => e.type));
const stored = (page, prefix = P) => page.evaluate((p) => Object.fromEntries(
  Object.keys(localStorage).filter((k) => k.startsWith(p)).map((k) => [k, localStorage.getItem(k)])), prefix);

async function currentSession(page) {
  return page.evaluate(() => auth.currentSession().then(
    (s) => ({ ok: true, s }),
    (e) => ({ ok: false, code: e.code, status: e.status ?? null, retryable: e.retryable, isError: e instanceof Error })));
}

/** Calls currentSession() in every page at the same instant. */
async function allAtOnce(pages) {
  const at = Date.now() + 400;
  return Promise.all(pages.map((p) => p.evaluate((when) => new Promise((r) => setTimeout(r, when - Date.now()))
    .then(() => auth.currentSession()).then((s) => s && { access: s.accessToken, refresh: s.refreshToken }), at)));
}

function noPageErrors(pages) {
  for (const p of pages) assert.deepEqual(p.errors.map(String), [], 'uncaught page errors');
}

for (const variant of [
  { name: 'Web Locks', init: undefined },
  { name: 'no Web Locks (storage lease)', init: () => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }) },
]) {
  test(`5 tabs with an expired token → exactly 1 refresh, same new token everywhere (${variant.name})`, T, async () => {
    const pages = await openPages(5, {}, variant.init);
    if (variant.init) assert.equal(await pages[0].evaluate(() => navigator.locks), undefined);
    const old = await signInExpired(pages[0]);
    await env.control('faults', { target: 'InitiateAuth', delayMs: 300, count: 5 });
    const before = await stats();
    const got = await allAtOnce(pages);
    const after = await stats();
    assert.equal(n(after, 'InitiateAuth:REFRESH_TOKEN_AUTH') - n(before, 'InitiateAuth:REFRESH_TOKEN_AUTH'), 1,
      'exactly one refresh reached Cognito');
    for (const g of got) {
      assert.ok(g, 'nobody is signed out');
      assert.equal(g.access, got[0].access, 'all tabs got the same token');
    }
    assert.notEqual(got[0].access, old.accessToken);
    assert.equal((await stored(pages[0]))[`${P}.demo.accessToken`], got[0].access);
    noPageErrors(pages);
  });
}

/** The fixture's app client with refresh-token rotation ENABLED (grace period 10 s). */
const ROTATING = '5rotatingclient0emulator1';

test('5 tabs with refresh-token rotation → 1 GetTokensFromRefreshToken, nobody signed out', T, async () => {
  await env.control('config', { refreshReuseWindowSeconds: 0 });
  const RP = `${KEY_PREFIX}${ROTATING}`;
  const pages = await openPages(5, { clientId: ROTATING, refreshTokenRotation: true });
  const old = await signInExpired(pages[0]);
  await env.control('faults', { target: 'GetTokensFromRefreshToken', delayMs: 300, count: 5 });
  const before = await stats();
  const got = await allAtOnce(pages);
  const after = await stats();
  assert.equal(n(after, 'GetTokensFromRefreshToken') - n(before, 'GetTokensFromRefreshToken'), 1);
  assert.equal(n(after, 'InitiateAuth:REFRESH_TOKEN_AUTH'), 0);
  for (const g of got) {
    assert.ok(g, 'nobody is signed out');
    assert.equal(g.access, got[0].access);
    assert.equal(g.refresh, got[0].refresh);
  }
  assert.notEqual(got[0].refresh, old.refreshToken, 'the refresh token rotated');
  const keys = await stored(pages[3], RP);
  assert.equal(keys[`${RP}.demo.refreshToken`], got[0].refresh, 'new refresh token stored with the new access token');
  assert.equal(keys[`${RP}.demo.accessToken`], got[0].access);
  // The old refresh token is dead; the stored one works.
  const reuse = await api('GetTokensFromRefreshToken', { ClientId: ROTATING, RefreshToken: old.refreshToken });
  assert.equal(reuse.body.__type, 'RefreshTokenReuseException');
  for (const p of pages) assert.deepEqual((await events(p)).filter((t) => t === 'sessionExpired'), []);
  noPageErrors(pages);
});

test('GetTokensFromRefreshToken on an app client without rotation: no new refresh token, the old one is kept', T, async () => {
  const [page] = await openPages(1, { refreshTokenRotation: true });
  const old = await signInExpired(page);
  const before = await stats();
  const r = await currentSession(page);
  const after = await stats();
  assert.equal(r.ok, true);
  assert.equal(n(after, 'GetTokensFromRefreshToken') - n(before, 'GetTokensFromRefreshToken'), 1);
  assert.notEqual(r.s.accessToken, old.accessToken, 'new tokens');
  assert.equal(r.s.refreshToken, old.refreshToken, 'the refresh token in use stays');
  assert.equal((await stored(page))[`${P}.demo.refreshToken`], old.refreshToken);
  // It keeps working (no rotation, no reuse window).
  const again = await api('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: old.refreshToken });
  assert.equal(again.status, 200);
  assert.equal(again.body.AuthenticationResult.RefreshToken, undefined);
  noPageErrors([page]);
});

const json = 'application/x-amz-json-1.1';
const FAULTS = [
  { name: 'offline', code: 'NetworkError', apply: async (page) => page.context().setOffline(true), undo: async (page) => page.context().setOffline(false) },
  { name: 'HTTP 500', code: 'InvalidResponse', status: 500, fault: { status: 500, body: '<html>oops</html>' } },
  { name: 'TooManyRequests', code: 'TooManyRequestsException', status: 400,
    fault: { status: 400, contentType: json, body: '{"__type":"TooManyRequestsException","message":"Rate exceeded"}' } },
  { name: 'dropped connection', code: 'NetworkError', fault: { drop: true } },
];

test('fault matrix during refresh: session kept, typed error, later refresh succeeds', T, async () => {
  const [page] = await openPages(1);
  for (const f of FAULTS) {
    const old = await signInExpired(page);
    const keysBefore = await stored(page);
    const before = await stats();
    if (f.fault) await env.control('faults', { target: 'InitiateAuth', count: 20, ...f.fault });
    if (f.apply) await f.apply(page);
    const r = await currentSession(page);
    if (f.undo) await f.undo(page);
    await fetch(`${env.emulatorUrl}/_emulator/faults`, { method: 'DELETE' });
    assert.equal(r.ok, false, `${f.name}: expired tokens and no refresh → rejection`);
    assert.equal(r.code, f.code, f.name);
    assert.equal(r.isError, true);
    assert.equal(r.retryable, true, f.name);
    if (f.status) assert.equal(r.status, f.status);
    if (f.fault) {
      assert.equal(n(await stats(), 'InitiateAuth:REFRESH_TOKEN_AUTH') - n(before, 'InitiateAuth:REFRESH_TOKEN_AUTH'), 3,
        `${f.name}: 3 attempts with backoff`);
    }
    assert.deepEqual(await stored(page), keysBefore, `${f.name}: the session is kept untouched`);
    assert.ok((await events(page)).includes('tokenRefreshFailed'), f.name);
    assert.ok(!(await events(page)).includes('sessionExpired'), f.name);
    const later = await currentSession(page);
    assert.equal(later.ok, true, `${f.name}: later refresh works`);
    assert.notEqual(later.s.accessToken, old.accessToken);
    assert.equal(later.s.refreshToken, old.refreshToken);
    await page.evaluate(() => { window.events.length = 0; });
  }

  // Storage throwing while the refreshed tokens are written: the tokens are kept in memory.
  const old = await signInExpired(page);
  const r = await page.evaluate(async () => {
    const saved = Storage.prototype.setItem;
    Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); };
    try {
      const s = await auth.currentSession();
      return { access: s?.accessToken, kind: auth.storageKind, again: (await auth.currentSession())?.accessToken };
    } finally { Storage.prototype.setItem = saved; }
  });
  assert.ok(r.access && r.access !== old.accessToken, 'refreshed despite storage');
  assert.equal(r.again, r.access);
  assert.equal(r.kind, 'memory');
  assert.ok((await events(page)).includes('storageFallback'));
  assert.equal((await stored(page))[`${P}.demo.accessToken`], old.accessToken, 'nothing half-written in localStorage');
  noPageErrors([page]);
});

test('a revoked refresh token ends the session: null, sessionExpired, clean storage', T, async () => {
  const [page] = await openPages(1);
  const old = await signInExpired(page);
  assert.equal((await api('RevokeToken', { ClientId: CLIENT_ID, Token: old.refreshToken })).status, 200);
  const r = await currentSession(page);
  assert.deepEqual(r, { ok: true, s: null });
  assert.ok((await events(page)).includes('sessionExpired'));
  assert.deepEqual(await stored(page), {}, 'every key of the session is gone');
  noPageErrors([page]);
});

test('clock skewed ±1 h: drift measured from iat, refresh decided correctly', T, async () => {
  for (const skew of [3600, -3600]) {
    const [page] = await openPages(1, { refreshLeeway: 60 },
      `{ const real = Date.now.bind(Date); window.__skew = ${skew * 1000}; Date.now = () => real() + window.__skew; }`);
    // The emulator checks TIMESTAMP against its clock (±5 min): widen that for this test.
    await env.control('config', { tokenTtlSeconds: 120, timestampSkewSeconds: 7200 });
    const s = await signIn(page);
    await env.control('config', { tokenTtlSeconds: 3600 });
    assert.ok(Math.abs(s.clockDrift - skew) <= 2, `drift ${s.clockDrift} ≈ ${skew}`);
    const before = n(await stats(), 'InitiateAuth:REFRESH_TOKEN_AUTH');
    const r = await currentSession(page);
    assert.equal(r.s.accessToken, s.accessToken, `skew ${skew}: tokens valid for 120 s are used as they are`);
    assert.equal(n(await stats(), 'InitiateAuth:REFRESH_TOKEN_AUTH'), before);
    // 61 s later (by the page's clock) the token is inside the 60 s leeway: refresh.
    await page.evaluate(() => { window.__skew += 61_000; });
    const r2 = await currentSession(page);
    assert.notEqual(r2.s.accessToken, s.accessToken, `skew ${skew}: refreshed inside the leeway`);
    assert.equal(n(await stats(), 'InitiateAuth:REFRESH_TOKEN_AUTH'), before + 1);
    noPageErrors([page]);
  }
});

test('storage blocked (localStorage getter throws) → memory, storageFallback, sign-in works', T, async () => {
  const [page] = await openPages(1, {},
    () => Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } }));
  assert.equal(await page.evaluate(() => auth.storageKind), 'memory');
  const s = await signIn(page);
  assert.equal(s.username, 'demo');
  assert.equal((await currentSession(page)).s.accessToken, s.accessToken);
  assert.deepEqual((await events(page)).slice(0, 2), ['storageFallback', 'signedIn']);
  noPageErrors([page]);
});

test('cross-tab: sign-in and sign-out in page A reach page B within a second; unsubscribe works', T, async () => {
  const [a, b] = await openPages(2);
  await signIn(a);
  await b.waitForFunction(() => window.events.some((e) => e.type === 'signedIn'), null, { timeout: 1000, polling: 50 });
  assert.equal((await currentSession(b)).s.username, 'demo');
  const t0 = Date.now();
  const out = await a.evaluate(() => auth.signOut());
  assert.deepEqual(out, { revoked: true, error: null });
  await b.waitForFunction(() => window.events.some((e) => e.type === 'signedOut'), null, { timeout: 1000, polling: 50 });
  assert.ok(Date.now() - t0 < 1500);
  assert.equal((await currentSession(b)).s, null);
  await b.evaluate(() => window.unsubscribe());
  await signIn(a);
  await a.waitForTimeout(300);
  assert.deepEqual(await events(b), ['signedIn', 'signedOut'], 'no events after unsubscribe');
  noPageErrors([a, b]);
});

test('signOut revokes the refresh token; global signs out everywhere; a failed revocation still clears', T, async () => {
  const [page] = await openPages(1);
  let s = await signIn(page);
  assert.deepEqual(await page.evaluate(() => auth.signOut()), { revoked: true, error: null });
  const refresh = await api('InitiateAuth', { ClientId: CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.refreshToken } });
  assert.equal(refresh.body.__type, 'NotAuthorizedException', 'RevokeToken reached Cognito');
  assert.deepEqual(await stored(page), {});

  s = await signIn(page);
  const other = await signIn(page, USERS.demo);
  assert.deepEqual(await page.evaluate(() => auth.signOut({ global: true })), { revoked: true, error: null });
  assert.equal(n(await stats(), 'GlobalSignOut'), 1);
  for (const at of [s.accessToken, other.accessToken]) {
    assert.equal((await api('GetUser', { AccessToken: at })).body.__type, 'NotAuthorizedException');
  }

  s = await signIn(page);
  await page.context().setOffline(true);
  const r = await page.evaluate(() => auth.signOut().then((x) => ({ revoked: x.revoked, code: x.error?.code })));
  await page.context().setOffline(false);
  assert.deepEqual(r, { revoked: false, code: 'NetworkError' });
  assert.deepEqual(await stored(page), {}, 'local state cleared anyway');
  assert.equal((await currentSession(page)).s, null);
  noPageErrors([page]);
});

test('hosted-UI sessions refresh with the /oauth2/token grant; invalid_grant ends them', T, async () => {
  const [page] = await openPages(1, { domain: env.emulatorUrl });
  const old = await signInExpired(page);
  await page.evaluate((p) => localStorage.setItem(`${p}.demo.tokenSource`, 'hostedUI'), P);
  const before = await stats();
  const r = await currentSession(page);
  const after = await stats();
  assert.equal(n(after, 'OAuth2Token') - n(before, 'OAuth2Token'), 1);
  assert.equal(n(after, 'InitiateAuth:REFRESH_TOKEN_AUTH'), n(before, 'InitiateAuth:REFRESH_TOKEN_AUTH'));
  assert.notEqual(r.s.accessToken, old.accessToken);
  assert.equal((await stored(page))[`${P}.demo.tokenSource`], 'hostedUI', 'the token source is kept');
  // Revoke through /oauth2/revoke, then let the tokens expire: invalid_grant ends the session.
  await fetch(`${env.emulatorUrl}/oauth2/revoke`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: old.refreshToken, client_id: CLIENT_ID }),
  });
  await page.evaluate(() => { const real = Date.now.bind(Date); Date.now = () => real() + 7_200_000; });
  assert.deepEqual(await currentSession(page), { ok: true, s: null });
  assert.ok((await events(page)).includes('sessionExpired'));
  assert.deepEqual(await stored(page), {});
  noPageErrors([page]);
});

test('autoRefresh refreshes before expiry without being asked', T, async () => {
  const [page] = await openPages(1, { autoRefresh: true, refreshLeeway: 60 });
  await env.control('config', { tokenTtlSeconds: 62 });
  const s = await signIn(page);
  await env.control('config', { tokenTtlSeconds: 3600 });
  await page.waitForFunction(() => window.events.some((e) => e.type === 'tokenRefreshed'), null, { timeout: 8000, polling: 100 });
  const ev = await page.evaluate(() => window.events.find((e) => e.type === 'tokenRefreshed'));
  assert.notEqual(ev.token, s.accessToken);
  assert.equal((await stored(page))[`${P}.demo.accessToken`], ev.token);
  noPageErrors([page]);
});

test('storage options: cookies and a Promise-based app store hold the session', T, async () => {
  const [page] = await openPages(1, { storage: 'cookie', cookie: { sameSite: 'strict', expires: 1 } });
  assert.equal(await page.evaluate(() => auth.storageKind), 'cookie');
  const s = await signIn(page);
  const cookies = await page.context().cookies();
  const last = cookies.find((c) => c.name === `${P}.LastAuthUser`);
  assert.equal(last?.value, 'demo');
  assert.equal(last.sameSite, 'Strict');
  assert.ok(last.expires > Date.now() / 1000 + 3600 && last.expires < Date.now() / 1000 + 2 * 86400);
  assert.equal(decodeURIComponent(cookies.find((c) => c.name === `${P}.demo.idToken`).value), s.idToken);
  assert.deepEqual(await stored(page), {}, 'nothing in localStorage');

  const r = await page.evaluate(async ({ cfg, user }) => {
    const m = new Map();
    const store = { getItem: async (k) => m.get(k) ?? null, setItem: async (k, v) => { m.set(k, v); }, removeItem: async (k) => { m.delete(k); } };
    const a = new CognitoAuth({ ...cfg, storage: store });
    await a.signIn(user);
    const s = await a.currentSession();
    return { kind: a.storageKind, user: m.get(`${cfg.prefix}.LastAuthUser`), same: s.accessToken === m.get(`${cfg.prefix}.demo.accessToken`) };
  }, { cfg: { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, prefix: P }, user: { username: 'demo', password: USERS.demo.password } });
  assert.deepEqual(r, { kind: 'custom', user: 'demo', same: true });
  noPageErrors([page]);
});
