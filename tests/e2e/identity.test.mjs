// End-to-end: identity-pool credentials and SigV4 signing, through www-demo and the package
// API in headless Chromium, against the emulator's cognito-identity endpoint and its
// SigV4-verifying /_protected/ API.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openDemo, signIn, alertCode, CLIENT_ID, KEY_PREFIX, POOL_ID, USERS } from './harness.mjs';

const T = { timeout: 90_000 };
const IDENTITY_POOL = 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001';
const USER_ID_KEY = (user) => `${KEY_PREFIX}${CLIENT_ID}.${user}.identityId`;
const GUEST_ID_KEY = `com.amplify.Cognito.${IDENTITY_POOL}.identityId`;
const ID_RE = /^us-east-1:[0-9a-f-]{36}$/;

let env;
let page;
let targets;

before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
beforeEach(async () => {
  await env.control('reset');
  await env.control('identity', { credentialsTtlSeconds: 3600, allowUnauthenticated: true });
  page = await env.newPage();
  // Every Cognito call the page makes, by X-Amz-Target.
  targets = [];
  page.on('request', (r) => {
    const t = r.headers()['x-amz-target'];
    if (t) targets.push(t.replace(/^AWSCognito\w+Service\./, ''));
  });
});
afterEach(async () => {
  const errors = page.errors.map((e) => e.stack ?? String(e));
  await page.context().close();
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

async function callApi() {
  await page.getByTestId('call-api').click();
  const result = page.getByTestId('api-result');
  await page.waitForSelector('[data-testid="api-result"]:not([hidden]), [role="alert"]:not([hidden])');
  if (!(await result.isVisible())) assert.fail(`error instead of a reply: ${await page.getByRole('alert').textContent()}`);
  const text = await result.textContent();
  const [statusLine, ...rest] = text.split('\n');
  return { status: Number(statusLine.replace('HTTP ', '')), body: JSON.parse(rest.join('\n')), errorType: await result.getAttribute('data-error-type') };
}

const stored = (key) => page.evaluate((k) => localStorage.getItem(k), key);
const creds = (opts) => page.evaluate(async (o) => {
  const c = await window.cognitoDemo.auth.getAwsCredentials(o);
  return { ...c, expiration: c.expiration instanceof Date ? c.expiration.getTime() : 'not a Date' };
}, opts);

test('a page clock an hour off at sign-in: credentials cached and requests signed on the service\'s clock', T, async () => {
  for (const skew of [3600, -3600]) {
    const p = await env.newPage();
    const seen = [];
    p.on('request', (r) => { const t = r.headers()['x-amz-target']; if (t) seen.push(t.replace(/^AWSCognito\w+Service\./, '')); });
    await p.addInitScript(`{ const real = Date.now.bind(Date); Date.now = () => real() + ${skew * 1000}; }`);
    // The emulator checks the SRP TIMESTAMP against its clock (±5 min), as Cognito: widened here.
    await env.control('config', { timestampSkewSeconds: 7200 });
    const saved = page;
    page = p;
    try {
      await openDemo(env, page);
      await signIn(page, USERS.demo.username, USERS.demo.password);
      seen.length = 0;
      const r = await callApi();
      assert.equal(r.status, 200, `skew ${skew}: the signature's date is the service's`);
      assert.match(r.body.identityId, ID_RE);
      const again = await callApi();
      assert.equal(again.status, 200);
      assert.equal(seen.filter((t) => t === 'GetCredentialsForIdentity').length, 1, `skew ${skew}: the credentials are cached (${seen})`);
    } finally {
      page = saved;
      await p.context().close();
    }
  }
});

test('signed in: "Call protected API" answers 200 with the identity id; credentials cached, single flight', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  targets.length = 0;
  const r = await callApi();
  assert.equal(r.status, 200);
  assert.match(r.body.identityId, ID_RE);
  assert.equal(r.body.method, 'POST');
  assert.equal(r.body.path, '/_protected/hello');
  assert.deepEqual(targets, ['GetId', 'GetCredentialsForIdentity']);
  assert.equal(await stored(USER_ID_KEY('demo')), r.body.identityId, 'identity id kept in storage');

  const c = await creds();
  assert.equal(c.identityId, r.body.identityId);
  assert.equal(c.accessKeyId, r.body.accessKeyId, 'the API saw the cached credentials');
  assert.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(c.secretAccessKey.length >= 40 && c.sessionToken.startsWith('EmuSessionToken/'));
  assert.ok(c.expiration > Date.now() + 3500_000 && c.expiration < Date.now() + 3700_000, 'expiration is a Date about an hour ahead');

  // Cached: no more identity calls. Concurrent forced refreshes share one request pair.
  await callApi();
  assert.deepEqual(targets, ['GetId', 'GetCredentialsForIdentity']);
  targets.length = 0;
  const ids = await page.evaluate(async () => {
    const a = window.cognitoDemo.auth;
    const all = await Promise.all([a.getAwsCredentials({ forceRefresh: true }), a.getAwsCredentials({ forceRefresh: true }), a.getAwsCredentials({ forceRefresh: true })]);
    return all.map((c) => c.accessKeyId);
  });
  assert.deepEqual(targets, ['GetCredentialsForIdentity'], 'stored identity id reused, one request for three callers');
  assert.equal(new Set(ids).size, 1);
  assert.notEqual(ids[0], c.accessKeyId, 'forceRefresh got new credentials');

  // Same user again after sign-out: the same identity; another user: another identity.
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  assert.equal(await stored(USER_ID_KEY('demo')), null, 'sign-out forgets the identity id');
  await signIn(page, USERS.demo.username, USERS.demo.password);
  assert.equal((await callApi()).body.identityId, r.body.identityId, 'identity ids are stable per user');
  await page.getByTestId('signout').click();
  await signIn(page, USERS.alice.username, USERS.alice.password);
  const alice = await callApi();
  assert.equal(alice.status, 200);
  assert.notEqual(alice.body.identityId, r.body.identityId);
});

test('tampered signature, tampered body, wrong token, expired credentials: 403 in AWS\'s shape', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const url = (await page.evaluate(() => window.cognitoDemo.config.apiUrl));
  const results = await page.evaluate(async (url) => {
    const a = window.cognitoDemo.auth;
    const send = async (signed, body = signed.body) => {
      const r = await fetch(signed.url, { method: signed.method, headers: signed.headers, body });
      return { status: r.status, type: r.headers.get('x-amzn-errortype'), body: await r.json() };
    };
    const req = { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' };
    const signed = await a.signRequest(req, { service: 'execute-api' });
    const out = { ok: await send(signed), headers: signed.headers };
    const auth = signed.headers.Authorization;
    const flipped = auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0');
    out.badSignature = await send({ ...signed, headers: { ...signed.headers, Authorization: flipped } });
    out.badBody = await send(signed, '{"n":2}');
    out.badToken = await send({ ...signed, headers: { ...signed.headers, 'X-Amz-Security-Token': 'forged' } });
    out.otherService = await send(await a.signRequest(req, { service: 'lambda' }));
    // A Request object in, a Request out.
    const r = await a.signRequest(new Request(url + '/sub%20path?b=2&a=1&a=', { method: 'PUT', body: new Uint8Array([1, 2, 3]) }), { service: 'execute-api' });
    out.requestIsRequest = r instanceof Request;
    const rr = await fetch(r);
    out.fromRequest = { status: rr.status, body: await rr.json() };
    return out;
  }, url);
  assert.equal(results.ok.status, 200, JSON.stringify(results.ok));
  assert.match(results.headers.Authorization, /^AWS4-HMAC-SHA256 Credential=ASIA[A-Z2-7]{16}\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  assert.match(results.headers['X-Amz-Date'], /^\d{8}T\d{6}Z$/);
  for (const k of ['badSignature', 'badBody']) {
    assert.equal(results[k].status, 403, k);
    assert.equal(results[k].type, 'InvalidSignatureException', k);
    assert.match(results[k].body.message, /^The request signature we calculated does not match/, k);
  }
  assert.equal(results.badToken.status, 403);
  assert.equal(results.badToken.type, 'UnrecognizedClientException');
  assert.equal(results.otherService.status, 403);
  assert.ok(results.requestIsRequest);
  assert.equal(results.fromRequest.status, 200, JSON.stringify(results.fromRequest));
  assert.equal(results.fromRequest.body.method, 'PUT');
  assert.equal(results.fromRequest.body.path, '/_protected/hello/sub%20path');
});

test('expired credentials: 403 ExpiredTokenException; the library renews them without a new sign-in', T, async () => {
  await env.control('identity', { credentialsTtlSeconds: 3 });
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const first = await creds();
  assert.ok(first.expiration - Date.now() <= 3_500);
  await page.waitForTimeout(3_300);
  const expired = await page.evaluate(async (c) => {
    const a = window.cognitoDemo.auth;
    const r = await a.fetchSigned(window.cognitoDemo.config.apiUrl, { method: 'GET' }, { service: 'execute-api', credentials: c });
    return { status: r.status, type: r.headers.get('x-amzn-errortype'), body: await r.json() };
  }, first);
  assert.equal(expired.status, 403);
  assert.equal(expired.type, 'ExpiredTokenException');
  assert.equal(expired.body.message, 'The security token included in the request is expired');
  targets.length = 0;
  const r = await callApi();
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.notEqual(r.body.accessKeyId, first.accessKeyId, 'renewed credentials');
  assert.equal(r.body.identityId, first.identityId);
  assert.deepEqual(targets, ['GetCredentialsForIdentity'], 'no new sign-in, no GetId');
});

test('guest → signed in keeps the identity id (Cognito links the guest identity); refused when the pool disallows guests', T, async () => {
  await openDemo(env, page);
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
  const r = await callApi();
  assert.equal(r.status, 200);
  assert.match(r.body.identityId, ID_RE);
  assert.equal(await stored(GUEST_ID_KEY), r.body.identityId, 'guest id under Amplify\'s key');
  // Sign in: the guest's identity id goes to GetCredentialsForIdentity with the login and
  // Cognito links it: the same id, so data kept under it (an S3 prefix) survives.
  await signIn(page, USERS.demo.username, USERS.demo.password);
  targets.length = 0;
  const user = await callApi();
  assert.equal(user.status, 200);
  assert.equal(user.body.identityId, r.body.identityId, 'the guest identity became the user\'s');
  assert.deepEqual(targets, ['GetCredentialsForIdentity'], 'linked by GetCredentialsForIdentity, no GetId');
  assert.equal(await stored(USER_ID_KEY('demo')), r.body.identityId);
  assert.equal(await stored(GUEST_ID_KEY), null, 'no longer a guest identity');
  // Signed out: a new guest. Signing in again: the user's identity (already linked), not the new guest's.
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  const guest2 = await callApi();
  assert.match(guest2.body.identityId, ID_RE);
  assert.notEqual(guest2.body.identityId, r.body.identityId);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const again = await callApi();
  assert.equal(again.body.identityId, r.body.identityId, 'a linked user keeps their identity');
  assert.equal(await stored(GUEST_ID_KEY), null);
  // From the pool's side: the linked identity now needs the login (no guest access to it).
  const guestCall = await fetch(env.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityService.GetCredentialsForIdentity' },
    body: JSON.stringify({ IdentityId: r.body.identityId }),
  });
  assert.equal((await guestCall.json()).__type, 'NotAuthorizedException');

  await page.getByTestId('signout').click();
  await env.control('identity', { allowUnauthenticated: false });
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForSelector('body[data-state="signed-out"]');
  await page.getByTestId('call-api').click();
  const { code, text } = await alertCode(page);
  assert.equal(code, 'NotAuthorizedException');
  assert.match(text, /Unauthenticated access is not supported/);
});

/** Cognito's provider name is the tokens' iss without its scheme: the emulator (Cognito-exact
 * mode) issues Cognito's iss, the library builds the key from it, GetId accepts it. */
test('identity-pool Logins key = the ID token\'s iss without https://', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const sent = [];
  page.on('request', (q) => { if (q.headers()['x-amz-target']?.endsWith('.GetId')) sent.push(JSON.parse(q.postData())); });
  await callApi();
  const idToken = await page.evaluate(async () => (await window.cognitoDemo.auth.currentSession()).idToken);
  const iss = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()).iss;
  assert.equal(iss, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01');
  assert.deepEqual(Object.keys(sent[0].Logins), ['cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01']);
});

test('an identity the pool forgot is dropped and fetched again', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const first = await callApi();
  await env.control('identity', { forget: first.body.identityId });
  targets.length = 0;
  const c = await creds({ forceRefresh: true });
  assert.deepEqual(targets, ['GetCredentialsForIdentity', 'GetId', 'GetCredentialsForIdentity']);
  assert.equal(c.identityId, first.body.identityId);
  assert.equal(await stored(USER_ID_KEY('demo')), c.identityId);
});

test('presignUrl: a query-signed GET the API accepts until it expires; tampering is refused', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const out = await page.evaluate(async () => {
    const a = window.cognitoDemo.auth;
    const url = await a.presignUrl(window.cognitoDemo.config.apiUrl + '?x=1', { service: 'execute-api', expiresIn: 60 });
    const get = async (u) => { const r = await fetch(u); return { status: r.status, body: await r.json() }; };
    let err = null;
    try { await a.presignUrl('https://bucket.s3.amazonaws.com/k', { expiresIn: 604801 }); } catch (e) { err = e.code; }
    return { url, ok: await get(url), tampered: await get(url.replace('x=1', 'x=2')), err };
  });
  assert.match(out.url, /\?x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA[A-Z2-7]{16}%2F\d{8}%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=\d{8}T\d{6}Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=[^&]+&X-Amz-Signature=[0-9a-f]{64}$/);
  assert.equal(out.ok.status, 200, JSON.stringify(out.ok));
  assert.equal(out.tampered.status, 403);
  assert.equal(out.err, 'InvalidInput');
});

test('API errors: no identity pool configured, bad options', T, async () => {
  await openDemo(env, page);
  const codes = await page.evaluate(async () => {
    const { CognitoAuth } = await import('/pkg/cognito_wasm.js');
    const cfg = window.cognitoDemo.config;
    const plain = new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint });
    const code = async (p) => { try { await p; return 'resolved'; } catch (e) { return e.code; } };
    let ctor;
    try { new CognitoAuth({ ...cfg, identityPoolId: 'not-a-pool' }); ctor = 'constructed'; } catch (e) { ctor = e.code; }
    return {
      ctor,
      noPool: await code(plain.getAwsCredentials()),
      noService: await code(window.cognitoDemo.auth.signRequest({ url: cfg.apiUrl }, {})),
      badBody: await code(window.cognitoDemo.auth.signRequest({ url: cfg.apiUrl, method: 'POST', body: new Blob(['x']) }, { service: 'execute-api' })),
      explicit: (await plain.signRequest({ url: 'https://example.amazonaws.com/' }, {
        service: 'service', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      })).headers.Authorization,
    };
  });
  assert.equal(codes.ctor, 'InvalidInput');
  assert.equal(codes.noPool, 'InvalidInput');
  assert.equal(codes.noService, 'InvalidInput');
  assert.equal(codes.badBody, 'InvalidInput');
  assert.match(codes.explicit, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/service\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
});

test('NotAuthorizedException for an expired ID token: one token refresh, one retry', T, async () => {
  await openDemo(env, page);
  await signIn(page, USERS.demo.username, USERS.demo.password);
  const before = await page.evaluate(async () => (await window.cognitoDemo.auth.currentSession()).idToken);
  const expired = JSON.stringify({ __type: 'NotAuthorizedException', message: 'Invalid login token. Token expired: 1700000000 >= 1699999000' });
  await env.control('faults', { target: 'GetCredentialsForIdentity', status: 400, body: expired, count: 1 });
  targets.length = 0;
  const r = await callApi();
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.equal(targets[0], 'GetId');
  assert.equal(targets[1], 'GetCredentialsForIdentity');
  assert.ok(['InitiateAuth', 'GetTokensFromRefreshToken'].includes(targets[2]), `a token refresh: ${targets}`);
  assert.equal(targets[3], 'GetCredentialsForIdentity');
  assert.equal(targets.length, 4);
  assert.ok(before, 'signed in');

  // Twice in a row: the second expired-token reply is final (no loop), surfaced as the error.
  await env.control('faults', { target: 'GetCredentialsForIdentity', status: 400, body: expired, count: 2 });
  const code = await page.evaluate(async () => {
    try { await window.cognitoDemo.auth.getAwsCredentials({ forceRefresh: true }); return 'resolved'; } catch (e) { return e.code; }
  });
  assert.equal(code, 'NotAuthorizedException');
});

test('basic flow: getAwsCredentials({ roleArn }) via GetOpenIdToken + STS; two roles, two credential sets the API accepts; fetchSigned({ roleArn })', T, async () => {
  const AUTH_ROLE = 'arn:aws:iam::000000000000:role/EmuCognitoAuthenticated';
  const READ_ROLE = 'arn:aws:iam::000000000000:role/EmuCognitoReadOnly';
  await env.control('identity', { allowClassicFlow: true });
  await openDemo(env, page);
  // STS is the query protocol: no X-Amz-Target, a form with its Action.
  page.on('request', (r) => {
    const body = r.postData() ?? '';
    if (r.method() === 'POST' && !r.headers()['x-amz-target'] && body.startsWith('Action=')) targets.push(body.split('&')[0].slice(7));
  });
  targets.length = 0;
  const cfg = {
    userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint,
    identityPoolId: IDENTITY_POOL, identityEndpoint: env.endpoint, stsEndpoint: env.endpoint,
  };
  const out = await page.evaluate(async ([cfg, user, roles, url]) => {
    const a = new (window.cognitoDemo.auth.constructor)(cfg);
    await a.signIn(user);
    const flat = (c) => ({ ...c, expiration: c.expiration instanceof Date ? c.expiration.getTime() : 'not a Date' });
    const call = async (c) => {
      const s = await a.signRequest({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, { service: 'execute-api', credentials: c });
      const r = await fetch(s.url, { method: s.method, headers: s.headers, body: '{}' });
      return { status: r.status, body: await r.json() };
    };
    const first = await a.getAwsCredentials({ roleArn: roles[0] });
    const second = await a.getAwsCredentials({ roleArn: roles[1] });
    const cached = await a.getAwsCredentials({ roleArn: roles[0] });
    const out = { first: flat(first), second: flat(second), cached: flat(cached), api: [await call(first), await call(second)] };
    // fetchSigned with `roleArn`: that role's cached set.
    const f = await a.fetchSigned(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, { service: 'execute-api', roleArn: roles[1] });
    out.fetchSigned = { status: f.status, body: await f.json() };
    await a.signOut();
    // A guest's token may not assume the authenticated role: STS's AccessDenied.
    out.guest = await a.getAwsCredentials({ roleArn: roles[0] }).then(() => 'resolved', (e) => ({ code: e.code, status: e.status }));
    return out;
  }, [cfg, { username: USERS.demo.username, password: USERS.demo.password }, [AUTH_ROLE, READ_ROLE], `${env.endpoint}_protected/hello`]);
  const seen = targets.filter((t) => ['GetId', 'GetOpenIdToken', 'AssumeRoleWithWebIdentity', 'GetCredentialsForIdentity'].includes(t));
  assert.deepEqual(seen.slice(0, 5), ['GetId', 'GetOpenIdToken', 'AssumeRoleWithWebIdentity', 'GetOpenIdToken', 'AssumeRoleWithWebIdentity'],
    'one GetId, then GetOpenIdToken + STS per role; the second call for a role is cached');
  assert.deepEqual(seen.slice(5), ['GetId', 'GetOpenIdToken', 'AssumeRoleWithWebIdentity'], 'the guest after sign-out');
  const { first, second, cached } = out;
  assert.match(first.identityId, ID_RE);
  assert.equal(second.identityId, first.identityId);
  assert.match(first.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.notEqual(second.accessKeyId, first.accessKeyId, 'two roles, two credential sets');
  assert.notEqual(second.secretAccessKey, first.secretAccessKey);
  assert.deepEqual(cached, first);
  assert.ok(first.expiration > Date.now() + 3500_000 && first.expiration < Date.now() + 3700_000, 'expiration is a Date about an hour ahead');
  assert.deepEqual(out.api.map((r) => [r.status, r.body.roleArn, r.body.identityId, r.body.accessKeyId]), [
    [200, AUTH_ROLE, first.identityId, first.accessKeyId],
    [200, READ_ROLE, first.identityId, second.accessKeyId],
  ]);
  assert.deepEqual([out.fetchSigned.status, out.fetchSigned.body.roleArn, out.fetchSigned.body.accessKeyId], [200, READ_ROLE, second.accessKeyId]);
  assert.deepEqual(out.guest, { code: 'AccessDenied', status: 403 });
});
