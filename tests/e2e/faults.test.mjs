// The fault matrix: every operation × every fault, black-box, in headless Chromium against
// the emulator with fault injection (POST /_emulator/faults: by X-Amz-Target operation or by
// path), context.setOffline, and init scripts that make Storage throw, move the page clock
// and shorten AbortSignal.timeout. Each cell must hold:
//   1. the operation resolves, or rejects with an Error whose `code` (=== `name`) is one of
//      the codes the package README documents;
//   2. the stored session (localStorage CognitoIdentityServiceProvider.*) is byte-identical,
//      unless the operation resolved with a new session;
//   3. no uncaught exception and no unhandled rejection in the page;
//   4. once the fault is gone, the next call succeeds on the same page (no reload).
// A reply slower than the timeout must end in NetworkError (the library gave up), not hang.
// The outcomes are RELIABILITY.md's table between the fault-matrix markers: the test fails
// when they differ; UPDATE_FAULT_MATRIX=1 rewrites the table instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, ROOT, POOL_ID, CLIENT_ID, KEY_PREFIX, USERS } from './harness.mjs';

const T = { timeout: 240_000 };
const IDENTITY_POOL = 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001';
const J = 'application/x-amz-json-1.1';
const SMS = { username: 'smsuser', password: 'Sms-Passw0rd!' };
const PASSKEY = { username: 'passkey', password: 'Passkey-Passw0rd!' };
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };
/** Library timeouts are capped to this (ms) while the "slow" fault is on; the reply takes SLOW_MS. */
const TIMEOUT_CAP_MS = 400;
const SLOW_MS = 1500;
const RELIABILITY = path.join(ROOT, 'RELIABILITY.md');
const BEGIN = '<!-- fault-matrix:begin -->';
const END = '<!-- fault-matrix:end -->';

const errorBody = (type, message) => JSON.stringify({ __type: type, message });
/** A fault: `rule` goes to the emulator (for the operation's target or path), the rest is page-side. */
const FAULTS = [
  { id: 'offline', label: 'offline (`context.setOffline`)', offline: true },
  { id: '500', label: 'HTTP 500', rule: { status: 500, contentType: J, body: errorBody('InternalErrorException', 'boom') } },
  { id: '503', label: 'HTTP 503', rule: { status: 503, contentType: 'text/plain', body: 'Service Unavailable' } },
  { id: 'throttling', label: 'ThrottlingException', rule: { status: 400, contentType: J, body: errorBody('ThrottlingException', 'Rate exceeded') } },
  { id: 'throttling-ra', label: 'ThrottlingException + Retry-After: 1', rule: { status: 400, contentType: J, body: errorBody('ThrottlingException', 'Rate exceeded'), headers: { 'Retry-After': '1' } } },
  { id: 'tmr', label: 'TooManyRequestsException', rule: { status: 400, contentType: J, body: errorBody('TooManyRequestsException', 'Too many requests') } },
  { id: 'tmr-ra', label: 'TooManyRequestsException + Retry-After: 1', rule: { status: 429, contentType: J, body: errorBody('TooManyRequestsException', 'Too many requests'), headers: { 'Retry-After': '1' } } },
  { id: 'cut', label: 'connection dropped mid-reply', rule: { cutAfter: 12 } },
  { id: 'slow', label: `reply slower than the timeout (${SLOW_MS} ms, timeout capped at ${TIMEOUT_CAP_MS} ms)`, rule: { delayMs: SLOW_MS }, slow: true },
  { id: 'bad-json', label: 'invalid JSON (200)', rule: { status: 200, contentType: J, body: '{not json}' } },
  { id: 'html', label: 'HTML error page (502)', rule: { status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } },
  { id: 'truncated', label: 'truncated body (200)', rule: { status: 200, contentType: J, body: '{"AuthenticationResult":{"AccessToken":"eyJ' } },
  { id: 'missing', label: '200 with required fields missing (`{}`)', rule: { status: 200, contentType: J, body: '{}' } },
  { id: 'unknown', label: '400 with an unknown `__type`', rule: { status: 400, contentType: J, body: errorBody('BrandNewFutureException', 'a code from the future') } },
  { id: 'quota', label: 'storage setItem throws QuotaExceededError', storage: 'setItem' },
  { id: 'security', label: 'storage getItem throws SecurityError', storage: 'getItem' },
  { id: 'clock-fast', label: 'page clock 1 h fast', clock: 3_600_000 },
  { id: 'clock-slow', label: 'page clock 1 h slow', clock: -3_600_000 },
];

// Installed in every page before any script: switchable Storage, clock and timeout faults,
// and a record of unhandled rejections. window.__fault is the switchboard.
function faultInit() {
  const F = { storage: null, clock: 0, timeoutCap: 0, unhandled: [] };
  Object.defineProperty(window, '__fault', { value: F });
  const proto = Storage.prototype;
  const real = { getItem: proto.getItem, setItem: proto.setItem, key: proto.key };
  proto.setItem = function setItem(k, v) {
    if (F.storage === 'setItem') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return real.setItem.call(this, k, v);
  };
  proto.getItem = function getItem(k) {
    if (F.storage === 'getItem') throw new DOMException('The operation is insecure.', 'SecurityError');
    return real.getItem.call(this, k);
  };
  /** The CognitoIdentityServiceProvider.* keys of localStorage, sorted, read past the faults. */
  F.snapshot = (prefix) => {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = real.key.call(localStorage, i);
      if (k.startsWith(prefix)) out.push([k, real.getItem.call(localStorage, k)]);
    }
    return JSON.stringify(out.sort());
  };
  F.restore = (prefix, json) => {
    for (const k of Object.keys(localStorage)) if (k.startsWith(prefix)) localStorage.removeItem(k);
    for (const [k, v] of JSON.parse(json)) real.setItem.call(localStorage, k, v);
  };
  const RealDate = Date;
  const realNow = Date.now.bind(Date);
  class FaultDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(realNow() + F.clock); else super(...a); }
    static now() { return realNow() + F.clock; }
  }
  globalThis.Date = FaultDate;
  if (typeof AbortSignal.timeout === 'function') {
    const timeout = AbortSignal.timeout.bind(AbortSignal);
    AbortSignal.timeout = (ms) => timeout(F.timeoutCap ? Math.min(ms, F.timeoutCap) : ms);
  }
  addEventListener('unhandledrejection', (e) => F.unhandled.push(String(e.reason?.stack ?? e.reason)));
}

let env;
/** op id → fault id → outcome text. */
const table = new Map();
let documented;

before(async () => {
  env = await setup();
  // The codes the package README documents (its Errors section), each in `backticks`.
  const readme = fs.readFileSync(path.join(ROOT, 'pkg-template', 'README.md'), 'utf8');
  const errors = readme.slice(readme.indexOf('\n## Errors'), readme.indexOf('\n## ', readme.indexOf('\n## Errors') + 5));
  documented = new Set([...errors.matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1]));
}, { timeout: 120_000 });
after(async () => { await env?.close(); });

async function clearFaults() {
  const r = await fetch(`${env.emulatorUrl}/_emulator/faults`, { method: 'DELETE' });
  assert.equal(r.status, 200);
}

async function outboxCode(username) {
  const items = await (await fetch(`${env.emulatorUrl}/_emulator/outbox`)).json();
  const mine = items.filter((m) => m.username === username);
  assert.ok(mine.length > 0, `a code was sent to ${username}`);
  return mine.at(-1).code;
}

/** A context (own origin host) with `count` pages on blank.html, the fault init script and `window.run`. */
async function openContext(count, host = '127.0.0.1') {
  const context = await env.browser.newContext();
  await context.addInitScript(faultInit);
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.stack ?? String(e)));
    await page.goto(`${env.webUrl.replace('127.0.0.1', host)}/blank.html`);
    await loadLibrary(page);
    pages.push(page);
  }
  return { context, pages, page: pages[0] };
}

async function loadLibrary(page) {
  await page.evaluate(async () => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.CognitoAuth = m.CognitoAuth;
    // Runs a call: { value } or { error: { code, name, message, retryable, status, isError } }.
    window.run = (f) => Promise.resolve().then(f).then(
      (value) => ({ value }),
      (e) => ({ error: { code: e?.code, name: e?.name, message: e?.message, retryable: e?.retryable, status: e?.status ?? null, isError: e instanceof Error } }),
    );
  });
}

/** A new CognitoAuth in `page` (window.auth), as a page that was just loaded would make; the
 * previous one is freed (a reload would end it), so it hears no more notices nor holds locks. */
function fresh(page, extra = {}) {
  return page.evaluate((cfg) => { window.auth?.free?.(); window.auth = new CognitoAuth(cfg); }, {
    userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, ...extra,
  });
}

/** page.evaluate of `async (arg) => …` inside window.run. */
const call = (page, fn, arg) => page.evaluate(([src, a]) => window.run(() => (0, eval)(src)(a)), [String(fn), arg]);

async function must(page, fn, arg) {
  const r = await call(page, fn, arg);
  assert.equal(r.error, undefined, `unexpected rejection: ${JSON.stringify(r.error)}`);
  return r.value;
}

const snapshot = (page) => page.evaluate((p) => window.__fault.snapshot(p), KEY_PREFIX);

async function setPageFault(pages, fault, on) {
  for (const p of pages) {
    await p.evaluate(([f, on]) => {
      window.__fault.storage = on ? (f.storage ?? null) : null;
      window.__fault.clock = on ? (f.clock ?? 0) : 0;
      window.__fault.timeoutCap = on && f.slow ? f.cap : 0;
    }, [{ storage: fault.storage, clock: fault.clock, slow: fault.slow, cap: TIMEOUT_CAP_MS }, on]);
  }
  if (fault.offline) await pages[0].context().setOffline(on);
}

/** Errors the pages raised since the last call (uncaught exceptions, unhandled rejections). */
async function pageErrors(pages) {
  const out = [];
  for (const p of pages) {
    out.push(...p.errors.splice(0));
    out.push(...await p.evaluate(() => window.__fault.unhandled.splice(0)));
  }
  return out;
}

/** Short text for one result: the error code (+ HTTP status) or the op's own description. */
function describe(op, r) {
  if (r.error) return `\`${r.error.code}\`${r.error.status ? ` ${r.error.status}` : ''}${r.error.retryable ? ' ↻' : ''}`;
  return op.describe ? op.describe(r.value) : 'ok';
}

/**
 * Runs one cell and returns its outcome text; throws (with the cell's name) when it does
 * not hold.
 */
async function cell(op, fault, ctx) {
  const where = `${op.label} × ${fault.label}`;
  const pages = op.pages(ctx);
  // A wrong page clock is wrong from the start (the pages were loaded with it); the other
  // faults start after the preparation (a sign-in, a redirect) is done.
  if (fault.clock && !op.clockAfterPrepare) await setPageFault(pages, fault, true);
  await op.prepare(ctx, { fault });
  const before = await Promise.all(pages.map(snapshot));
  await pageErrors(pages);
  if (fault.rule) {
    const match = op.path ? { path: op.path } : { target: op.target };
    await env.control('faults', { ...match, count: 30, ...fault.rule });
  }
  await setPageFault(pages, fault, true);
  let results;
  try {
    results = await op.run(ctx);
  } finally {
    await setPageFault(pages, fault, false);
    if (fault.rule) await clearFaults();
  }
  for (const r of results) {
    if (r.error) {
      assert.equal(r.error.isError, true, `${where}: rejects with an Error (${JSON.stringify(r.error)})`);
      assert.equal(r.error.name, r.error.code, `${where}: name === code`);
      assert.equal(typeof r.error.retryable, 'boolean', `${where}: retryable is a boolean`);
      // A library code from the README's table, or Cognito's exception name as sent.
      const sent = fault.rule?.body && /^\{"__type"/.test(fault.rule.body) ? JSON.parse(fault.rule.body).__type : null;
      assert.ok(documented.has(r.error.code) || r.error.code === sent, `${where}: code ${r.error.code} is documented in the package README or is the __type sent (${r.error.message})`);
      if (fault.slow) assert.equal(r.error.code, 'NetworkError', `${where}: a reply slower than the timeout is a NetworkError`);
    } else {
      assert.ok(op.ok(r.value, fault), `${where}: resolved with an unexpected value ${JSON.stringify(r.value)?.slice(0, 300)}`);
      assert.ok(!fault.slow || op.resolvesWhenSlow?.(r.value), `${where}: resolved although the reply came after the timeout`);
    }
  }
  const afterwards = await Promise.all(pages.map(snapshot));
  const anyResolvedSession = results.some((r) => !r.error && op.newSession);
  if (!anyResolvedSession) {
    assert.deepEqual(afterwards, before, `${where}: the stored session is byte-identical`);
  }
  assert.deepEqual(await pageErrors(pages), [], `${where}: no uncaught exception or unhandled rejection`);
  // The fault is gone: the next call succeeds, same page, same CognitoAuth.
  if (op.recoverNeedsPrepare) await op.prepare(ctx, { keepInstance: true });
  const again = await op.run(ctx);
  for (const r of again) {
    assert.equal(r.error, undefined, `${where}: after the fault, the next call succeeds (${JSON.stringify(r.error)})`);
    assert.ok((op.recovered ?? op.ok)(r.value), `${where}: after the fault, the next call succeeds (${JSON.stringify(r.value)?.slice(0, 300)})`);
  }
  assert.deepEqual(await pageErrors(pages), [], `${where}: no uncaught exception or unhandled rejection (recovery)`);
  return [...new Set(results.map((r) => describe(op, r)))].join(' / ');
}

async function runMatrix(op, ctx) {
  const row = new Map();
  const failures = [];
  for (const fault of FAULTS) {
    const t0 = Date.now();
    try {
      row.set(fault.id, await cell(op, fault, ctx));
      if (process.env.FAULT_MATRIX_DEBUG) console.log(`  ${op.id} × ${fault.id}: ${Date.now() - t0} ms`);
    } catch (e) {
      failures.push(e.message);
      row.set(fault.id, 'FAILS');
      await clearFaults().catch(() => {});
      await setPageFault(op.pages(ctx), fault, false).catch(() => {});
    }
  }
  table.set(op.id, row);
  if (process.env.FAULT_MATRIX_DEBUG) console.log(op.id, JSON.stringify([...row]));
  assert.deepEqual(failures, [], `${op.label}: cells that do not hold`);
}

const signedIn = (v) => v?.type === 'signedIn' && typeof v.session?.accessToken === 'string';
const sessionOf = (v) => (v?.session?.accessToken ? `signed in${v.session.clockDrift ? ', drift measured' : ''}` : 'ok');

// ---------------------------------------------------------------------------------------
// The operations. prepare(ctx) runs before the fault is switched on; run(ctx) resolves with
// one result per page.

const OPS = [];

OPS.push({
  id: 'srp', label: 'SRP sign-in', target: 'InitiateAuth', newSession: true,
  pages: (c) => [c.page],
  async setup(c) { await fresh(c.page); await must(c.page, (u) => auth.signIn(u), USERS.demo); },
  prepare: (c) => fresh(c.page),
  run: async (c) => [await call(c.page, (u) => auth.signIn(u), USERS.demo)],
  ok: signedIn, describe: () => 'signed in',
});

OPS.push({
  id: 'challenge', label: 'answering a challenge (SMS_MFA code)', target: 'RespondToAuthChallenge', newSession: true, recoverNeedsPrepare: true,
  // With the clock off from the start the password step already fails (see the SRP row):
  // here the clock moves between the password step and the answer.
  clockAfterPrepare: true,
  pages: (c) => [c.page],
  async setup() {},
  async prepare(c, { keepInstance } = {}) {
    if (!keepInstance) await fresh(c.page);
    const r = await must(c.page, (u) => auth.signIn(u), SMS);
    assert.equal(r.name, 'SMS_MFA');
    c.code = await outboxCode(SMS.username);
  },
  run: async (c) => [await call(c.page, (code) => auth.respondToChallenge({ code }), c.code)],
  ok: signedIn, describe: () => 'signed in',
});

/** Signs in with 1-second tokens and waits until they expired; keeps that stored session. */
async function expiredSession(c) {
  await env.control('config', { tokenTtlSeconds: 1 });
  await fresh(c.page);
  await must(c.page, (u) => auth.signIn(u), USERS.demo);
  await env.control('config', { tokenTtlSeconds: 3600 });
  await c.page.waitForTimeout(1_500);
  c.expired = await snapshot(c.page);
}
const refreshed = (c) => (v) => typeof v?.accessToken === 'string' && v.accessToken !== c.expiredAccess;
const describeRefresh = (c) => (v) => {
  if (v === null) return 'null (session unreadable)';
  return v.accessToken === c.expiredAccess ? 'the stored (expired) tokens' : 'refreshed';
};
// A storage that throws on every read hides the session: null (nothing is lost in storage).
const isSession = (v, fault) => typeof v?.accessToken === 'string' || (v === null && fault?.storage === 'getItem');

OPS.push({
  id: 'refresh', label: 'refresh (1 tab)', target: 'InitiateAuth', newSession: true,
  pages: (c) => [c.page],
  async setup(c) {
    await expiredSession(c);
    c.expiredAccess = JSON.parse(c.expired).find(([k]) => k.endsWith('.accessToken'))[1];
    this.recovered = refreshed(c);
    this.describe = describeRefresh(c);
  },
  async prepare(c) {
    await c.page.evaluate(([p, s]) => window.__fault.restore(p, s), [KEY_PREFIX, c.expired]);
    await fresh(c.page);
  },
  run: async (c) => [await call(c.page, () => auth.currentSession())],
  ok: isSession,
});

OPS.push({
  id: 'refresh3', label: 'refresh (3 tabs at once)', target: 'InitiateAuth', newSession: true, tabs: 3,
  pages: (c) => c.pages,
  async setup(c) {
    await expiredSession(c);
    c.expiredAccess = JSON.parse(c.expired).find(([k]) => k.endsWith('.accessToken'))[1];
    this.recovered = refreshed(c);
    this.describe = describeRefresh(c);
  },
  async prepare(c) {
    await c.page.evaluate(([p, s]) => window.__fault.restore(p, s), [KEY_PREFIX, c.expired]);
    for (const p of c.pages) await fresh(p);
  },
  run: (c) => Promise.all(c.pages.map((p) => call(p, () => auth.currentSession()))),
  ok: isSession,
});

OPS.push({
  id: 'refresh-hosted', label: 'refresh (hosted-UI session, `/oauth2/token`)', path: '/oauth2/token', newSession: true,
  pages: (c) => [c.page],
  async setup(c) {
    await expiredSession(c);
    // The same tokens, marked as a hosted-UI session: refreshed with the refresh_token grant.
    const entries = JSON.parse(c.expired);
    const user = entries.find(([k]) => k.endsWith('.LastAuthUser'))[1];
    entries.push([`${KEY_PREFIX}${CLIENT_ID}.${user}.tokenSource`, 'hostedUI']);
    c.expired = JSON.stringify(entries.sort());
    c.expiredAccess = entries.find(([k]) => k.endsWith('.accessToken'))[1];
    this.recovered = refreshed(c);
    this.describe = describeRefresh(c);
  },
  async prepare(c) {
    await c.page.evaluate(([p, s]) => window.__fault.restore(p, s), [KEY_PREFIX, c.expired]);
    await fresh(c.page, { domain: env.emulatorUrl });
  },
  run: async (c) => [await call(c.page, () => auth.currentSession())],
  ok: isSession,
});

/** The hosted-UI login, done by the test: the authorize navigation is answered, after a POST
 * /login at the emulator, with a redirect to blank.html; the callback URL the emulator gave
 * (with code and state) is kept in c.callback and handed to handleRedirectCallback(url). */
async function hostedRoutes(c) {
  await c.page.route((u) => u.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`), async (route) => {
    const page = await (await fetch(route.request().url())).text();
    const txn = page.match(/name="txn" value="([^"]+)"/)[1];
    const r = await fetch(`${env.emulatorUrl}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txn, username: USERS.demo.username, password: USERS.demo.password, action: 'signin' }),
    });
    c.callback = r.headers.get('location');
    await route.fulfill({ status: 302, headers: { Location: `${env.webUrl}/blank.html?back=${c.visits}` } });
  });
}
const HOSTED = () => ({ domain: env.emulatorUrl, redirectSignIn: `${env.webUrl}/`, redirectSignOut: `${env.webUrl}/` });

OPS.push({
  id: 'hosted', label: 'hosted-UI callback', path: '/oauth2/token', newSession: true, recoverNeedsPrepare: true,
  pages: (c) => [c.page],
  async setup(c) { await hostedRoutes(c); },
  async prepare(c, { fault } = {}) {
    await fresh(c.page, HOSTED());
    c.callback = null;
    c.visits = (c.visits ?? 0) + 1;
    await Promise.all([
      c.page.waitForURL((u) => u.href === `${env.webUrl}/blank.html?back=${c.visits}`),
      c.page.evaluate(() => { auth.signInWithRedirect({ state: 'back' }); }),
    ]);
    assert.match(c.callback, /\?code=/);
    if (fault?.clock) await setPageFault([c.page], fault, true);
    await loadLibrary(c.page);
    await fresh(c.page, HOSTED());
  },
  run: async (c) => [await call(c.page, (url) => auth.handleRedirectCallback(url), c.callback)],
  ok: (v) => signedIn(v) && v.state === 'back', describe: () => 'signed in',
});

const IDENTITY = () => ({ identityPoolId: IDENTITY_POOL, identityEndpoint: env.endpoint });
OPS.push({
  id: 'credentials', label: 'identity-pool credentials', target: 'GetCredentialsForIdentity', newSession: true,
  pages: (c) => [c.page],
  async setup(c) {
    await env.control('identity', { credentialsTtlSeconds: 3600 });
    await fresh(c.page, IDENTITY());
    await must(c.page, (u) => auth.signIn(u), USERS.demo);
    await must(c.page, () => auth.getAwsCredentials());
  },
  prepare: (c) => fresh(c.page, IDENTITY()),
  run: async (c) => [await call(c.page, () => auth.getAwsCredentials({ forceRefresh: true }).then((k) => ({ accessKeyId: k.accessKeyId })))],
  ok: (v) => /^ASIA/.test(v?.accessKeyId ?? ''), describe: () => 'credentials',
});

OPS.push({
  id: 'signed', label: 'signed fetch (`fetchSigned`, app timeout 30 s)', path: '/_protected/hello', newSession: true,
  pages: (c) => [c.page],
  async setup(c) {
    await env.control('identity', { credentialsTtlSeconds: 3600 });
    await fresh(c.page, IDENTITY());
    await must(c.page, (u) => auth.signIn(u), USERS.demo);
    await must(c.page, () => auth.getAwsCredentials());
  },
  async prepare() {},
  run: async (c) => [await call(c.page, async (url) => {
    const r = await auth.fetchSigned(url, { method: 'GET', signal: AbortSignal.timeout(30_000) }, { service: 'execute-api' });
    const body = await r.text().then(() => 'read', () => 'fails');
    return { status: r.status, body };
  }, `${env.emulatorUrl}/_protected/hello`)],
  ok: (v) => Number.isInteger(v?.status), describe: (v) => `HTTP ${v.status}${v.body === 'fails' ? ', body read fails' : ''}`,
});

OPS.push({
  id: 'passkey', label: 'passkey sign-in', target: 'RespondToAuthChallenge', newSession: true, host: 'localhost',
  pages: (c) => [c.page],
  async setup(c) {
    const cdp = await c.context.newCDPSession(c.page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR });
    await fresh(c.page);
    await must(c.page, (u) => auth.signIn(u), PASSKEY);
    await must(c.page, () => auth.registerPasskey());
  },
  prepare: (c) => fresh(c.page),
  run: async (c) => [await call(c.page, (username) => auth.signIn({ username, preferredChallenge: 'WEB_AUTHN' }), PASSKEY.username)],
  ok: signedIn, describe: () => 'signed in',
});

let signUps = 0;
OPS.push({
  id: 'signup', label: 'sign-up', target: 'SignUp',
  pages: (c) => [c.page],
  async setup(c) { await fresh(c.page); },
  prepare: (c) => fresh(c.page),
  run: async (c) => [await call(c.page, (username) => auth.signUp({ username, password: 'Fault-Passw0rd!', attributes: { email: `${username}@example.com` } })
    .then((r) => ({ confirmed: r.userConfirmed ?? r.confirmed ?? null, ok: true })), `fault${++signUps}`)],
  ok: (v) => v?.ok === true, describe: () => 'ok',
});

OPS.push({
  id: 'forgot', label: 'forgot password', target: 'ForgotPassword',
  pages: (c) => [c.page],
  async setup(c) { await fresh(c.page); },
  prepare: (c) => fresh(c.page),
  run: async (c) => [await call(c.page, (username) => auth.forgotPassword({ username }).then(() => ({ ok: true })), USERS.demo.username)],
  ok: (v) => v?.ok === true, describe: () => 'ok',
});

for (const op of OPS) {
  test(`fault matrix: ${op.label}`, T, async () => {
    await env.control('reset');
    const ctx = await openContext(op.tabs ?? 1, op.host);
    try {
      await op.setup(ctx);
      await runMatrix(op, ctx);
    } finally {
      await ctx.context.close();
    }
  });
}

/** RELIABILITY.md's table: one row per fault, one column per operation. */
function renderTable() {
  const head = `| fault | ${OPS.map((o) => o.label).join(' | ')} |`;
  const rule = `|---|${OPS.map(() => '---').join('|')}|`;
  const rows = FAULTS.map((f) => `| ${f.label} | ${OPS.map((o) => table.get(o.id)?.get(f.id) ?? 'not run').join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

test('RELIABILITY.md holds the fault matrix these runs produced', () => {
  assert.equal(table.size, OPS.length, 'every operation ran');
  const doc = fs.readFileSync(RELIABILITY, 'utf8');
  const [start, end] = [doc.indexOf(BEGIN), doc.indexOf(END)];
  assert.ok(start >= 0 && end > start, `RELIABILITY.md has the ${BEGIN} … ${END} markers`);
  const current = doc.slice(start + BEGIN.length, end).trim();
  const produced = renderTable();
  if (process.env.UPDATE_FAULT_MATRIX === '1') {
    if (current !== produced) fs.writeFileSync(RELIABILITY, `${doc.slice(0, start + BEGIN.length)}\n${produced}\n${doc.slice(end)}`);
    return;
  }
  assert.equal(current, produced, 'RELIABILITY.md is out of date: run UPDATE_FAULT_MATRIX=1 node --test tests/e2e/faults.test.mjs');
});
