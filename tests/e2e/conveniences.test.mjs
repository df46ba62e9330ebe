// The migration helpers and conveniences, in Chromium against the emulator, on the package
// (pkg/): CognitoAuth.fromAmplifyConfig (amplify_outputs.json + options, Amplify's
// ResourcesConfig with userPoolEndpoint), getCurrentUser() (synchronous, no request, per
// storage kind), currentSession({ forceRefresh: true }) (one refresh for concurrent calls,
// new tokens stored), decodeJwt (UTF-8 claims, typed error on malformed input).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, CLIENT_ID, POOL_ID, USERS, KEY_PREFIX } from './harness.mjs';

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
