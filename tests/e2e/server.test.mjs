// cognito-wasm/server in Node against the emulator: the verifier's typed refusals, its one
// JWKS fetch, and the README's recipe (examples/verify-server.mjs, a node:http server run as
// a user would run it, with `cognito-wasm` resolved to pkg/) answering 200 or 401.
// No browser: the tokens come from the package's CognitoAuth running in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, POOL_ID, CLIENT_ID, USERS, startEmulator, startServer, stop } from './harness.mjs';

const OTHER_CLIENT = '5rotatingclient0emulator1';
const { initSync, CognitoAuth } = await import(path.join(ROOT, 'pkg', 'cognito_wasm.js'));
initSync({ module: fs.readFileSync(path.join(ROOT, 'pkg', 'cognito_wasm_bg.wasm')) });
// The server entry loads its own engine (cognito_wasm_server.wasm) beside the one above.
const { createVerifier } = await import(path.join(ROOT, 'pkg', 'server.js'));

let emu, recipe, tmp, tokens, other;
const T = { timeout: 60_000 };

const jwks = async () => ((await (await fetch(`${emu.url}/_emulator/stats`)).json()).JWKS ?? 0);
const control = async (p, body) => {
  const r = await fetch(`${emu.url}/_emulator/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.text());
};
async function signIn(clientId = CLIENT_ID) {
  const auth = new CognitoAuth({ userPoolId: POOL_ID, clientId, endpoint: emu.endpoint, storage: 'memory', autoRefresh: false });
  const r = await auth.signIn({ username: USERS.demo.username, password: USERS.demo.password });
  auth.free();
  assert.equal(r.type, 'signedIn');
  return r.session;
}
const verifier = (o = {}) => createVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: emu.endpoint, ...o });
const refusal = (p) => p.then((v) => assert.fail(`accepted: ${JSON.stringify(v)}`), (e) => e);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const part = (t, i) => JSON.parse(Buffer.from(t.split('.')[i], 'base64url').toString());
/** The token with its payload changed and its signature kept (a tampered token). */
const tamper = (t, change) => { const [h, , s] = t.split('.'); return `${h}.${b64({ ...part(t, 1), ...change })}.${s}`; };

before(async () => {
  emu = await startEmulator();
  tokens = await signIn();
  other = await signIn(OTHER_CLIENT);
  // The recipe, run the way its comment says, from a directory where `cognito-wasm` is pkg/.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cognito-server-'));
  fs.mkdirSync(path.join(tmp, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'pkg'), path.join(tmp, 'node_modules', 'cognito-wasm'), 'dir');
  fs.copyFileSync(path.join(ROOT, 'examples', 'verify-server.mjs'), path.join(tmp, 'verify-server.mjs'));
  recipe = await startServer('verify-server', process.execPath, [path.join(tmp, 'verify-server.mjs')], 'verify-server listening on', {
    cwd: tmp,
    env: { ...process.env, USER_POOL_ID: POOL_ID, CLIENT_ID, COGNITO_ENDPOINT: emu.endpoint, PORT: '0' },
  });
});
after(async () => {
  await Promise.all([stop(recipe?.proc), stop(emu?.proc)]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('verifyAccessToken / verifyIdToken: the claims, and the JWKS fetched once for many verifications', T, async () => {
  const v = verifier();
  const before = await jwks();
  for (let i = 0; i < 5; i++) {
    const a = await v.verifyAccessToken(tokens.accessToken);
    assert.equal(a.username, 'demo');
    assert.equal(a.client_id, CLIENT_ID);
    assert.equal(a.token_use, 'access');
    assert.equal(a.iss, `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`);
    const id = await v.verifyIdToken(tokens.idToken);
    assert.equal(id['cognito:username'], 'demo');
    assert.equal(id.aud, CLIENT_ID);
    assert.equal(id.email, 'demo@example.com');
  }
  // Refusals that need the keys use the cached ones.
  assert.equal((await refusal(v.verifyAccessToken(tokens.idToken))).code, 'TokenWrongUse');
  assert.equal(await jwks() - before, 1, 'one JWKS request for eleven verifications');
});

test('each refusal has its own code (and name), like the browser API', T, async () => {
  const v = verifier();
  const cases = [
    ['an ID token as an access token', () => v.verifyAccessToken(tokens.idToken), 'TokenWrongUse', /not an access token/],
    ['an access token as an ID token', () => v.verifyIdToken(tokens.accessToken), 'TokenWrongUse', /not an ID token/],
    ["another client's access token", () => v.verifyAccessToken(other.accessToken), 'TokenWrongClient', /\(client_id\)/],
    ["another client's ID token", () => v.verifyIdToken(other.idToken), 'TokenWrongClient', /\(aud\)/],
    ['a tampered payload', () => v.verifyAccessToken(tamper(tokens.accessToken, { username: 'admin' })), 'TokenBadSignature', /signature/],
    ['a forged expiry', () => v.verifyAccessToken(tamper(tokens.accessToken, { exp: 4102444800 })), 'TokenBadSignature', /signature/],
    ['not a JWT', () => v.verifyAccessToken('not-a-jwt'), 'TokenMalformed', /well-formed/],
    ['alg none', () => v.verifyAccessToken(`${b64({ alg: 'none', kid: 'k' })}.${tokens.accessToken.split('.')[1]}.`), 'TokenMalformed', /./],
    ['HS256', () => v.verifyAccessToken(`${b64({ alg: 'HS256', kid: part(tokens.accessToken, 0).kid })}.${tokens.accessToken.split('.').slice(1).join('.')}`), 'TokenMalformed', /RS256/],
    ['a number', () => v.verifyAccessToken(5), 'InvalidInput', /token must be a string/],
  ];
  for (const [what, call, code, message] of cases) {
    const e = await refusal(call());
    assert.ok(e instanceof Error, what);
    assert.equal(e.code, code, `${what}: ${e.code} ${e.message}`);
    assert.equal(e.name, code, what);
    assert.match(e.message, message, what);
    assert.equal(e.retryable, false, what);
  }
});

test("another pool's verifier: TokenWrongIssuer before any JWKS request", T, async () => {
  const before = await jwks();
  const v = createVerifier({ userPoolId: 'us-east-1_OtherPool1', clientId: CLIENT_ID, endpoint: emu.endpoint });
  assert.equal((await refusal(v.verifyAccessToken(tokens.accessToken))).code, 'TokenWrongIssuer');
  assert.equal((await refusal(v.verifyIdToken(tokens.idToken))).code, 'TokenWrongIssuer');
  assert.equal(await jwks() - before, 0);
  assert.throws(() => createVerifier({ userPoolId: 'not-a-pool', clientId: CLIENT_ID }), (e) => e.code === 'InvalidInput');
});

test('a rotated key is found with one refetch; an unknown kid: one refetch, then TokenUnknownKid, and none for 10 s', T, async () => {
  const v = verifier();
  await v.verifyAccessToken(tokens.accessToken);
  const before = await jwks();
  await control('rotate-keys', {});
  const fresh = await signIn();
  assert.notEqual(part(fresh.accessToken, 0).kid, part(tokens.accessToken, 0).kid);
  assert.equal((await v.verifyAccessToken(fresh.accessToken)).username, 'demo');
  assert.equal((await v.verifyAccessToken(fresh.accessToken)).username, 'demo');
  assert.equal((await v.verifyAccessToken(tokens.accessToken)).username, 'demo', 'the old key is still published');
  assert.equal(await jwks() - before, 1, 'one fetch for the rotated key, then cached');
  const [, p, s] = tokens.accessToken.split('.');
  const forge = (kid) => `${b64({ ...part(tokens.accessToken, 0), kid })}.${p}.${s}`;
  const e = await refusal(v.verifyAccessToken(forge('no-such-kid')));
  assert.equal(e.code, 'TokenUnknownKid');
  assert.match(e.message, /kid is not in the user pool's JWKS/);
  assert.equal(await jwks() - before, 2, 'one refetch');
  for (const kid of ['no-such-kid', 'another-kid', 'a-third-kid']) {
    assert.equal((await refusal(v.verifyIdToken(forge(kid)))).code, 'TokenUnknownKid');
  }
  assert.equal(await jwks() - before, 2, 'no fetch for unknown kids within 10 s of a miss');
  assert.equal((await v.verifyAccessToken(fresh.accessToken)).username, 'demo', 'known kids still verify');
});

test('an expired token: TokenExpired, accepted within leewaySeconds; a bad leeway is InvalidInput', T, async () => {
  await control('config', { tokenTtlSeconds: 1 });
  let short;
  try { short = await signIn(); } finally { await control('config', { tokenTtlSeconds: 3600 }); }
  const exp = part(short.accessToken, 1).exp;
  await new Promise((r) => setTimeout(r, Math.max(0, (exp + 1) * 1000 - Date.now()) + 100));
  const e = await refusal(verifier().verifyAccessToken(short.accessToken));
  assert.equal(e.code, 'TokenExpired');
  assert.match(e.message, /\(exp\)/);
  assert.equal((await refusal(verifier().verifyIdToken(short.idToken))).code, 'TokenExpired');
  assert.equal((await verifier({ leewaySeconds: 60 }).verifyAccessToken(short.accessToken)).username, 'demo');
  assert.equal((await refusal(verifier({ leewaySeconds: 301 }).verifyAccessToken(short.accessToken))).code, 'InvalidInput');
});

test('the JWKS out of reach: NetworkError, retryable', T, async () => {
  const v = createVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: 'http://127.0.0.1:1/' });
  const e = await refusal(v.verifyAccessToken(tokens.accessToken));
  assert.equal(e.code, 'NetworkError');
  assert.equal(e.retryable, true);
});

test('the README recipe (node:http): 200 with the username, 401 for a tampered token, an ID token, no token', T, async () => {
  const before = await jwks();
  const get = async (authorization) => {
    const r = await fetch(`${recipe.url}/hello`, { headers: authorization === undefined ? {} : { authorization } });
    return { status: r.status, body: await r.json(), www: r.headers.get('www-authenticate') };
  };
  assert.deepEqual(await get(`Bearer ${tokens.accessToken}`), { status: 200, body: { username: 'demo', scope: 'aws.cognito.signin.user.admin' }, www: null });
  for (const [authorization, error] of [
    [`Bearer ${tamper(tokens.accessToken, { username: 'admin' })}`, 'TokenBadSignature'],
    [`Bearer ${tokens.idToken}`, 'TokenWrongUse'],
    [`Bearer ${other.accessToken}`, 'TokenWrongClient'],
    ['Bearer not-a-jwt', 'TokenMalformed'],
  ]) {
    const r = await get(authorization);
    assert.deepEqual([r.status, r.body.error, r.www], [401, error, 'Bearer error="invalid_token"'], authorization.slice(0, 40));
  }
  for (const authorization of [undefined, '', 'Basic dXNlcjpwdw==', `Bearer`, `bearer ${tokens.accessToken}x y`]) {
    const r = await get(authorization);
    assert.deepEqual([r.status, r.body.error, r.www], [401, 'missing bearer token', 'Bearer'], String(authorization));
  }
  assert.deepEqual((await get(`Bearer ${tokens.accessToken}`)).status, 200);
  assert.equal(await jwks() - before, 1, 'the recipe server fetched the JWKS once for its seven verifications');
});
