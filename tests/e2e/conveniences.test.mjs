// The migration helpers and conveniences, in Chromium against the emulator, on the package
// (pkg/): CognitoAuth.fromAmplifyConfig (amplify_outputs.json + options, Amplify's
// ResourcesConfig with userPoolEndpoint), getCurrentUser() (synchronous, no request, per
// storage kind), currentSession({ forceRefresh: true }) (one refresh for concurrent calls,
// new tokens stored), decodeJwt (UTF-8 claims, typed error on malformed input).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, CLIENT_ID, POOL_ID, USERS, KEY_PREFIX, totp } from './harness.mjs';

const T = { timeout: 120_000 };
let env;
before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });

const stats = async () => (await fetch(`${env.emulatorUrl}/_emulator/stats`)).json();
const refreshes = (s) => s['InitiateAuth:REFRESH_TOKEN_AUTH'] ?? 0;

test('fromAmplifyConfig, getCurrentUser without a request, forced refresh, decodeJwt', T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const outputs = { version: '1.3', auth: { aws_region: 'us-east-1', user_pool_id: POOL_ID, user_pool_client_id: CLIENT_ID, mfa_configuration: 'OPTIONAL', mfa_methods: ['TOTP'] } };
  const resources = { Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: env.endpoint } } };
  const r = await page.evaluate(async ({ outputs, resources, endpoint, user, prefix, clientId }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default('/pkg/cognito_wasm_bg.wasm');
    const code = (f) => { try { f(); return 'returned'; } catch (e) { return e.code; } };
    const mapped = m.configFromAmplify(resources);
    const a = m.CognitoAuth.fromAmplifyConfig(outputs, { endpoint });
    const before = a.getCurrentUser();
    const signedIn = await a.signIn(user);
    const who = a.getCurrentUser();
    // Another client on the same pool (Amplify's ResourcesConfig) sees the same user.
    const b = m.CognitoAuth.fromAmplifyConfig(resources);
    const whoB = b.getCurrentUser();
    const mem = m.CognitoAuth.fromAmplifyConfig(resources, { storage: 'memory' });
    const memBefore = mem.getCurrentUser();
    await mem.signIn(user);
    const memWho = mem.getCurrentUser();
    const asyncStore = { getItem: async () => null, setItem: async () => {}, removeItem: async () => {} };
    const c = m.CognitoAuth.fromAmplifyConfig(resources, { storage: asyncStore });
    const asyncCode = code(() => c.getCurrentUser());
    const events = [];
    a.onAuthStateChange((e) => events.push(e.type));
    const [f1, f2] = await Promise.all([a.currentSession({ forceRefresh: true }), a.currentSession({ forceRefresh: true })]);
    const stored = localStorage.getItem(`${prefix}${clientId}.demo.accessToken`);
    const badForce = await a.currentSession({ forceRefresh: 'yes' }).then(() => 'resolved', (e) => e.code);
    // decodeJwt: UTF-8 claims, and the real ID token.
    const b64u = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const utf8 = m.decodeJwt(`${b64u('{"alg":"none"}')}.${b64u('{"name":"Zoë Ødegård 日本語 🙂"}')}.c2ln`);
    const id = m.decodeJwt(f1.idToken);
    const malformed = ['a.b', '', 'a.b.c.d', `${b64u('[1]')}.${b64u('{}')}.c2ln`, `${b64u('{}')}.${btoa('\xff\xfe')}.c2ln`, 42].map((t) => code(() => m.decodeJwt(t)));
    const notAmplify = code(() => m.configFromAmplify({ userPoolId: 'x' }));
    await a.signOut();
    const afterOut = a.getCurrentUser();
    return {
      mapped, before, who, whoB, memBefore, memWho, asyncCode, badForce, afterOut, malformed, notAmplify,
      sub: signedIn.session.idTokenClaims.sub,
      forcedNew: f1.accessToken !== signedIn.session.accessToken, same: f1.accessToken === f2.accessToken && f1.accessToken === stored,
      refreshedEvent: events.includes('tokenRefreshed'), utf8: utf8.payload.name, idSub: id.payload.sub, alg: utf8.header.alg,
    };
  }, { outputs, resources, endpoint: env.endpoint, user: { username: 'demo', password: USERS.demo.password }, prefix: KEY_PREFIX, clientId: CLIENT_ID });
  assert.deepEqual(r.mapped, { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint });
  assert.equal(r.before, null);
  assert.deepEqual(r.who, { username: 'demo', userId: r.sub });
  assert.deepEqual(r.whoB, r.who);
  assert.equal(r.memBefore, null);
  assert.deepEqual(r.memWho, r.who);
  assert.equal(r.asyncCode, 'InvalidInput');
  assert.equal(r.badForce, 'InvalidInput');
  assert.equal(r.afterOut, null);
  assert.ok(r.forcedNew, 'forceRefresh returned new tokens');
  assert.ok(r.same, 'both forced calls got the stored tokens');
  assert.ok(r.refreshedEvent);
  assert.equal(r.utf8, 'Zoë Ødegård 日本語 🙂');
  assert.equal(r.alg, 'none');
  assert.equal(r.idSub, r.sub);
  assert.deepEqual(r.malformed, Array(6).fill('InvalidInput'));
  assert.equal(r.notAmplify, 'InvalidInput');
  assert.deepEqual(page.errors.map(String), []);
  await page.context().close();
});

test('two forced refreshes at once are one refresh; getCurrentUser sends nothing', T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const sent = [];
  page.on('request', (q) => { if (q.url().startsWith(env.endpoint)) sent.push(q.url()); });
  const cfg = { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint };
  await page.evaluate(async ({ cfg, user }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default('/pkg/cognito_wasm_bg.wasm');
    window.__a = new m.CognitoAuth({ ...cfg, storage: 'session' });
    await window.__a.signIn(user);
  }, { cfg, user: { username: 'demo', password: USERS.demo.password } });
  const n = sent.length;
  const who = await page.evaluate(() => { const out = []; for (let i = 0; i < 20; i++) out.push(window.__a.getCurrentUser()); return out; });
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(sent.length, n, 'getCurrentUser made no request');
  assert.ok(who.every((u) => u.username === 'demo' && u.userId.length === 36));
  const s0 = await stats();
  const r = await page.evaluate(async () => {
    const [x, y] = await Promise.all([window.__a.currentSession({ forceRefresh: true }), window.__a.currentSession({ forceRefresh: true })]);
    const z = await window.__a.currentSession();
    return x.accessToken === y.accessToken && y.accessToken === z.accessToken;
  });
  assert.ok(r);
  assert.equal(refreshes(await stats()) - refreshes(s0), 1, 'one refresh for two concurrent forced calls');
  assert.deepEqual(page.errors.map(String), []);
  await page.context().close();
});

test("logLevel 'debug': one line per request (operation, status, ms, retries), and nothing secret", T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const consoleText = [];
  page.on('console', (m) => consoleText.push(`${m.type()} ${m.text()}`));
  // Everything secret that crosses the wire (SRP values, sessions, secret hashes, tokens).
  const wire = [];
  page.on('request', (q) => { if (q.url().startsWith(env.endpoint)) wire.push(q.postData() ?? ''); });
  page.on('response', (r) => { if (r.url().startsWith(env.endpoint)) wire.push(r.text().catch(() => '')); });
  // One throttled GetUser: its retry is logged with its count.
  await env.control('faults', {
    target: 'GetUser', status: 400, count: 1, contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify({ __type: 'TooManyRequestsException', message: 'Rate exceeded' }),
  });
  const secret = 'emulator-demo-client-secret-0001';
  const cfg = { userPoolId: POOL_ID, clientId: '9secretclient0000emulator1', clientSecret: secret, endpoint: env.endpoint, logLevel: 'debug' };
  const user = { username: 'totpuser', password: 'Totp-Passw0rd!' };
  const code = totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  const r = await page.evaluate(async ({ cfg, user, code }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default('/pkg/cognito_wasm_bg.wasm');
    const bad = (() => { try { new m.CognitoAuth({ ...cfg, logLevel: 'verbose' }); return 'constructed'; } catch (e) { return e.code; } })();
    const quiet = new m.CognitoAuth({ ...cfg, logLevel: undefined, storage: 'memory' });
    await quiet.signIn({ username: 'nobody', password: 'x' }).catch(() => {});
    console.log('quiet client done');
    const a = new m.CognitoAuth(cfg);
    const ch = await a.signIn(user);
    const signedIn = await a.respondToChallenge({ code });
    const refreshed = await a.currentSession({ forceRefresh: true });
    const me = await a.getUser();
    const out = await a.signOut();
    const tokens = (s) => [s.accessToken, s.idToken, s.refreshToken].filter(Boolean);
    return { bad, challenge: ch.name, username: me.username, revoked: out.revoked, tokens: [...tokens(signedIn.session), ...tokens(refreshed)] };
  }, { cfg, user, code });
  assert.equal(r.bad, 'InvalidInput');
  assert.equal(r.challenge, 'SOFTWARE_TOKEN_MFA');
  assert.equal(r.username, 'totpuser');
  assert.equal(r.revoked, true);
  // The browser's own lines (a failed request's "Failed to load resource") are not ours.
  const quietAt = consoleText.indexOf('log quiet client done');
  assert.ok(quietAt >= 0);
  const ours = (l) => l.includes('[cognito-wasm]');
  assert.deepEqual(consoleText.slice(0, quietAt).filter(ours), [], 'a client without logLevel logs nothing');
  const lines = consoleText.slice(quietAt + 1).filter(ours);
  const parsed = lines.map((l) => /^debug \[cognito-wasm\] (\S+) (\d+) (\d+)ms retries=(\d+)$/.exec(l));
  assert.ok(parsed.every(Boolean), `every line is a debug line of the format: ${lines.join('\n')}`);
  assert.deepEqual(parsed.map((p) => `${p[1]} ${p[2]} retries=${p[4]}`), [
    'InitiateAuth 200 retries=0',            // USER_SRP_AUTH
    'RespondToAuthChallenge 200 retries=0',  // PASSWORD_VERIFIER → SOFTWARE_TOKEN_MFA
    'RespondToAuthChallenge 200 retries=0',  // the TOTP code
    'InitiateAuth 200 retries=0',            // REFRESH_TOKEN_AUTH
    'GetUser 400 retries=0',                 // throttled
    'GetUser 200 retries=1',
    'RevokeToken 200 retries=0',
  ]);
  assert.ok(parsed.every((p) => +p[3] < 20_000), 'durations in ms');
  // Nothing secret, in full or as any 20-character piece.
  const all = consoleText.join('\n');
  const bodies = (await Promise.all(wire)).join('\n');
  const srp = [...bodies.matchAll(/"(SRP_A|SRP_B|SALT|SECRET_BLOCK|PASSWORD_CLAIM_SIGNATURE|PASSWORD_CLAIM_SECRET_BLOCK|SECRET_HASH|Session)":"([^"]+)"/g)].map((x) => x[2]);
  assert.ok(srp.length >= 8, `SRP values seen on the wire: ${srp.length}`);
  for (const s of [...r.tokens, ...srp, secret]) {
    for (let i = 0; i + 20 <= s.length; i++) assert.ok(!all.includes(s.slice(i, i + 20)), 'a secret piece appeared in the console');
  }
  for (const s of [user.password, code, user.username]) assert.ok(!all.includes(s), `${s} appeared in the console`);
  assert.ok(!lines.join('\n').includes(env.emulatorUrl.replace(/^https?:\/\//, '')), 'no URL in our lines');
  assert.deepEqual(page.errors.map(String), []);
  await page.context().close();
});

test("logLevel 'debug' on the core entry (cognito-wasm/core, the codes-only engine): the same lines", T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const lines = [];
  page.on('console', (m) => { if (m.text().includes('[cognito-wasm]')) lines.push(`${m.type()} ${m.text()}`); });
  const cfg = { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, logLevel: 'debug' };
  const r = await page.evaluate(async ({ cfg, password }) => {
    const m = await import('/pkg/cognito_wasm_core.js');
    await m.default('/pkg/cognito_wasm_core.wasm');
    const bad = (() => { try { new m.CognitoAuth({ ...cfg, logLevel: 'all' }); return 'constructed'; } catch (e) { return e.code; } })();
    const a = new m.CognitoAuth(cfg);
    const s = await a.signIn({ username: 'demo', password });
    await a.signOut();
    return { bad, token: s.session.accessToken };
  }, { cfg, password: USERS.demo.password });
  assert.equal(r.bad, 'InvalidInput');
  assert.deepEqual(lines.map((l) => l.replace(/ \d+ms /, ' Nms ')), [
    'debug [cognito-wasm] InitiateAuth 200 Nms retries=0',
    'debug [cognito-wasm] RespondToAuthChallenge 200 Nms retries=0',
    'debug [cognito-wasm] RevokeToken 200 Nms retries=0',
  ]);
  assert.ok(!lines.join('\n').includes(r.token.slice(0, 20)));
  await page.context().close();
});
