// End-to-end: the hosted UI (managed login) through www-demo's "Sign in with hosted UI"
// button, the emulator's login page, and back, in headless Chromium.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openDemo, cognitoKeys, alertCode, CLIENT_ID, POOL_ID, KEY_PREFIX, USERS } from './harness.mjs';

const T = { timeout: 90_000 };
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

function jwtPart(token, i) {
  return JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));
}

async function stats() {
  const r = await fetch(`${env.emulatorUrl}/_emulator/hosted-stats`);
  return r.json();
}

/** Demo → "Sign in with hosted UI" → the emulator's login page. */
async function toLoginPage(testId = 'hosted-signin') {
  await openDemo(env, page);
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
  await page.getByTestId(testId).click();
  await page.waitForURL((u) => u.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`));
  const url = new URL(page.url());
  // What the library sent.
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
  assert.equal(url.searchParams.get('redirect_uri'), `${env.webUrl}/`);
  assert.equal(url.searchParams.get('scope'), 'openid email profile');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(url.searchParams.get('state'), /^[A-Za-z0-9_-]{22}$/);
  assert.match(url.searchParams.get('nonce'), /^[A-Za-z0-9_-]{22}$/);
  return url;
}

/** Records every URL the page navigates to (to catch the callback URL with its code). */
function recordNavigations() {
  const urls = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) urls.push(f.url()); });
  return urls;
}

async function hostedSignIn(user = USERS.demo) {
  const navigations = recordNavigations();
  const authorize = await toLoginPage();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('body[data-state="signed-in"], [role="alert"]:not([hidden])');
  await page.getByTestId('id-token-verified').filter({ hasText: 'verified' }).waitFor();
  const callback = navigations.find((u) => u.startsWith(`${env.webUrl}/?code=`));
  return { authorize, callback };
}

test('hosted UI: emulator login page, back signed in with verified claims and a clean URL', T, async () => {
  const { authorize, callback } = await hostedSignIn();
  assert.ok(callback, 'the emulator redirected back with a code');
  assert.equal(page.url(), `${env.webUrl}/`, 'code and state removed from the address bar');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'demo');
  assert.equal(await page.getByTestId('claim-email').textContent(), USERS.demo.email);
  assert.match(await page.getByTestId('id-token-verified').textContent(), /signature verified .* for demo/);
  // The page asks /oauth2/userInfo after showing the session: wait for that reply.
  await page.waitForSelector('[data-testid="userinfo"][data-email]');
  assert.equal(await page.getByTestId('userinfo').getAttribute('data-email'), USERS.demo.email);
  assert.equal(await page.getByTestId('app-state').textContent(), 'demo-return-to-home', "the app's own state comes back");

  const keys = await cognitoKeys(page);
  assert.equal(keys[`${KEY_PREFIX}${CLIENT_ID}.LastAuthUser`], 'demo');
  assert.equal(keys[tokenKey('demo', 'tokenSource')], 'hostedUI');
  const id = jwtPart(keys[tokenKey('demo', 'idToken')], 1);
  assert.equal(id.nonce, authorize.searchParams.get('nonce'), 'the ID token carries our nonce');
  // Cognito's issuer, though the endpoint is the emulator's: the library must accept it.
  assert.equal(id.iss, `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`);
  assert.equal(id.aud, CLIENT_ID);
  assert.equal(jwtPart(keys[tokenKey('demo', 'accessToken')], 1).scope, 'openid email profile');
  assert.ok(keys[tokenKey('demo', 'refreshToken')]);
  // The one-time attempt data is gone from sessionStorage.
  const pending = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('cognito-wasm.hostedUI.')));
  assert.deepEqual(pending, []);
  assert.equal((await stats()).codeGrants, 1);

  // A password sign-in afterwards is a user-pool session again.
  await page.reload();
  await page.waitForSelector('body[data-state="signed-in"]');
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  assert.deepEqual(await cognitoKeys(page), {});
});

test('hosted UI: Cancel on the login page shows access_denied', T, async () => {
  await toLoginPage();
  await page.getByRole('button', { name: 'Cancel' }).click();
  const { code, text } = await alertCode(page);
  assert.equal(code, 'access_denied', text);
  assert.match(text, /cancelled/);
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-out');
  assert.equal(page.url(), `${env.webUrl}/`, 'error parameters removed from the address bar');
  assert.deepEqual(await cognitoKeys(page), {});
  assert.equal((await stats()).codeGrants, 0);
});

test('hosted UI: wrong password stays on the login page', T, async () => {
  await toLoginPage();
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('Wrong-Passw0rd!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Incorrect username or password.').waitFor();
  assert.ok(page.url().startsWith(env.emulatorUrl));
});

test('hosted UI: a replayed callback URL fails cleanly without a second exchange', T, async () => {
  const { callback } = await hostedSignIn();
  assert.equal((await stats()).codeGrants, 1);
  await page.goto(callback);
  const { code, text } = await alertCode(page);
  assert.equal(code, 'InvalidState', text);
  assert.equal((await stats()).codeGrants, 1, 'no second token request');
  assert.equal(page.url(), `${env.webUrl}/`);
  // The session from the first sign-in is untouched.
  assert.equal(await page.getAttribute('body', 'data-state'), 'signed-in');
});

test('hosted UI: a tampered state is rejected; the real callback still works', T, async () => {
  await toLoginPage();
  // Submit the login form outside the browser to hold the redirect.
  const html = await page.content();
  const txn = html.match(/name="txn" value="([^"]+)"/)[1];
  const r = await fetch(`${env.emulatorUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ txn, username: 'alice', password: USERS.alice.password, action: 'signin' }),
    redirect: 'manual',
  });
  assert.equal(r.status, 302);
  const real = new URL(r.headers.get('location'));
  const forged = new URL(real);
  forged.searchParams.set('state', `${real.searchParams.get('state')}x`);
  await page.goto(forged.href);
  const { code, text } = await alertCode(page);
  assert.equal(code, 'InvalidState', text);
  assert.equal((await stats()).codeGrants, 0, 'no token request for a forged state');
  assert.deepEqual(await cognitoKeys(page), {});
  // A callback without the right state cannot cancel the attempt in progress.
  await page.goto(real.href);
  await page.getByTestId('id-token-verified').filter({ hasText: 'verified' }).waitFor();
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'alice');
});

test('hosted UI: simulated Google provider', T, async () => {
  const url = await toLoginPage('hosted-google');
  assert.equal(url.searchParams.get('identity_provider'), 'Google');
  await page.getByText('Sign in with Google (simulated)').waitFor();
  await page.getByLabel('Email at Google').fill(USERS.alice.email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('id-token-verified').filter({ hasText: 'verified' }).waitFor();
  const keys = await cognitoKeys(page);
  const id = jwtPart(keys[tokenKey('alice', 'idToken')], 1);
  assert.equal(id.identities[0].providerName, 'Google');
});

test('hosted UI sign-out: revoke, /logout, back signed out; the refresh token no longer works', T, async () => {
  await hostedSignIn();
  const keys = await cognitoKeys(page);
  const refreshToken = keys[tokenKey('demo', 'refreshToken')];
  const seen = [];
  page.on('request', (r) => seen.push(`${r.method()} ${r.url().split('?')[0]}`));
  // The page is already on `/`: wait for the navigation that comes back from /logout.
  const back = page.waitForEvent('framenavigated', (f) => f === page.mainFrame() && f.url() === `${env.webUrl}/`);
  await page.getByTestId('signout-hosted').click();
  await back;
  await page.waitForSelector('body[data-state="signed-out"]');
  assert.ok(seen.includes(`POST ${env.emulatorUrl}/oauth2/revoke`), seen.join('\n'));
  assert.ok(seen.includes(`GET ${env.emulatorUrl}/logout`), seen.join('\n'));
  assert.deepEqual(await cognitoKeys(page), {});
  // The emulator refuses the revoked refresh token, on both refresh paths.
  const r = await fetch(`${env.emulatorUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken }),
  });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error, 'invalid_grant');
  const r2 = await fetch(`${env.endpoint}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: CLIENT_ID, AuthParameters: { REFRESH_TOKEN: refreshToken } }),
  });
  assert.equal((await r2.json()).__type, 'NotAuthorizedException');
});

test('a hosted-UI session refreshes at /oauth2/token and keeps its scopes', T, async () => {
  // Tokens that expire inside the 60 s refresh leeway: currentSession() refreshes at once.
  await env.control('config', { tokenTtlSeconds: 30 });
  try {
    await hostedSignIn();
  } finally {
    await env.control('config', { tokenTtlSeconds: 3600 });
  }
  const old = await cognitoKeys(page);
  const before = await (await fetch(`${env.emulatorUrl}/_emulator/stats`)).json();
  const s = await page.evaluate(() => window.cognitoDemo.auth.currentSession());
  const after = await (await fetch(`${env.emulatorUrl}/_emulator/stats`)).json();
  assert.equal((after.OAuth2Token ?? 0) - (before.OAuth2Token ?? 0), 1, 'refreshed with the /oauth2/token grant');
  assert.equal(after['InitiateAuth:REFRESH_TOKEN_AUTH'] ?? 0, before['InitiateAuth:REFRESH_TOKEN_AUTH'] ?? 0);
  assert.notEqual(s.accessToken, old[tokenKey('demo', 'accessToken')]);
  assert.equal(jwtPart(s.accessToken, 1).scope, 'openid email profile');
  assert.equal((await cognitoKeys(page))[tokenKey('demo', 'tokenSource')], 'hostedUI');
  const info = await page.evaluate(() => window.cognitoDemo.auth.getUserInfo());
  assert.equal(info.email, USERS.demo.email, 'userInfo works with the refreshed access token');
});

test('verifyIdToken: JWKS cached, refetched once after key rotation, bad signatures and unknown kids rejected', T, async () => {
  await openDemo(env, page);
  const jwks = [];
  page.on('request', (r) => { if (r.url().endsWith('/.well-known/jwks.json')) jwks.push(r.url()); });
  const result = await page.evaluate(async ({ user, password }) => {
    const { auth } = window.cognitoDemo;
    const out = {};
    const token = async () => (await auth.signIn({ username: user, password })).session.idToken;
    const t1 = await token();
    out.claims1 = await auth.verifyIdToken(t1);
    out.again = (await auth.verifyIdToken(t1))['cognito:username'];
    out.kid1 = JSON.parse(atob(t1.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).kid;
    await fetch(new URL('/_emulator/rotate-keys', window.cognitoDemo.config.endpoint).href, { method: 'POST' });
    const t2 = await token();
    out.kid2 = JSON.parse(atob(t2.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).kid;
    out.claims2 = await auth.verifyIdToken(t2);
    const errCode = async (t) => auth.verifyIdToken(t).then(() => 'accepted', (e) => `${e.code}: ${e.message}`);
    const [h, p, s] = t2.split('.');
    const claims = JSON.parse(atob(p.replace(/-/g, '+').replace(/_/g, '/')));
    claims['cognito:username'] = 'admin';
    const forged = btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    out.tampered = await errCode(`${h}.${forged}.${s}`);
    const hdr = btoa(JSON.stringify({ kid: 'no-such-kid', alg: 'RS256' })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    out.unknownKid = await errCode(`${hdr}.${p}.${s}`);
    out.notJwt = await errCode('not-a-jwt');
    // The issuer option: only that iss is accepted; the JWKS still comes from the endpoint.
    const cfg = window.cognitoDemo.config;
    const { CognitoAuth } = await import('/pkg/cognito_wasm.js');
    const strict = new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint, storage: 'memory', issuer: 'https://idp.example.com/pool' });
    out.otherIssuer = await strict.verifyIdToken(t2).then(() => 'accepted', (e) => `${e.code}: ${e.message}`);
    const exact = new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint, storage: 'memory', issuer: `https://cognito-idp.us-east-1.amazonaws.com/${cfg.userPoolId}` });
    out.sameIssuer = (await exact.verifyIdToken(t2))['cognito:username'];
    try { new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, issuer: 'http://idp.example.com/p' }); out.badIssuer = 'constructed'; } catch (e) { out.badIssuer = e.code; }
    return out;
  }, { user: USERS.demo.username, password: USERS.demo.password });
  assert.equal(result.claims1['cognito:username'], 'demo');
  assert.equal(result.again, 'demo');
  assert.notEqual(result.kid1, result.kid2, 'the emulator rotated its key');
  assert.equal(result.claims2['cognito:username'], 'demo');
  assert.match(result.tampered, /^InvalidIdToken: .*signature/);
  assert.match(result.unknownKid, /^InvalidIdToken: .*kid/);
  assert.match(result.notJwt, /^InvalidIdToken/);
  assert.match(result.otherIssuer, /^InvalidIdToken: .*\(iss\)/);
  assert.equal(result.sameIssuer, 'demo');
  assert.equal(result.badIssuer, 'InvalidInput');
  // First verify: 1 fetch; rotated kid: 1 refetch; unknown kid: 1 refetch then error; the two
  // clients with an issuer option: one fetch each (their own cache), from the API's host.
  assert.equal(jwks.length, 5, jwks.join('\n'));
  for (const u of jwks) assert.equal(u, `${env.emulatorUrl}/${POOL_ID}/.well-known/jwks.json`);
});

test('lang reaches the hosted UI: signInWithRedirect({ lang }), and the drop-in element passes its own', T, async () => {
  await page.goto(`${env.webUrl}/blank.html`);
  const cfg = { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, domain: env.emulatorUrl, redirectSignIn: `${env.webUrl}/` };
  const built = await page.evaluate(async (cfg) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default('/pkg/cognito_wasm_bg.wasm');
    const a = new m.CognitoAuth(cfg);
    const url = a.authorizeUrl({ lang: 'de' });
    const empty = await a.signInWithRedirect({ lang: '' }).then(() => 'navigated', (e) => e.code);
    window.__a = a;
    return { url, empty };
  }, cfg);
  assert.equal(built.empty, 'InvalidInput');
  assert.equal(new URL(built.url).searchParams.get('lang'), 'de');
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`)),
    page.evaluate(() => window.__a.signInWithRedirect({ lang: 'fr' })),
  ]);
  let u = new URL(page.url());
  assert.equal(u.searchParams.get('lang'), 'fr');
  assert.equal(u.searchParams.get('client_id'), CLIENT_ID);
  assert.ok(await page.getByLabel('Username').count(), "the emulator's login page is shown");

  // <cognito-login mode="hosted" lang="pt-BR">: the language as written.
  const q = new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local', mode: 'hosted', domain: env.emulatorUrl, lang: 'pt-BR' });
  await page.goto(`${env.webUrl}/dropin.html?${q}`);
  await page.waitForSelector('cognito-login[screen="hosted"]');
  await Promise.all([
    page.waitForURL((x) => x.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`)),
    page.getByTestId('hosted-sign-in').click(),
  ]);
  u = new URL(page.url());
  assert.equal(u.searchParams.get('lang'), 'pt-BR');
  assert.equal(u.searchParams.get('redirect_uri'), `${env.webUrl}/dropin.html`);
});
