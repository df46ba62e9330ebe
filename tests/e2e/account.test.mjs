// End-to-end: challenges, MFA and account self-service through www-demo (and the package
// API in the page for options the demo has no screen for), against the emulator.
// Codes come from the emulator's outbox; TOTP codes are computed here (RFC 6238).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setup, openDemo, signIn, alertCode, CLIENT_ID, POOL_ID, USERS } from './harness.mjs';

const T = { timeout: 120_000 };
const SECRET_CLIENT = { clientId: '9secretclient0000emulator1', clientSecret: 'emulator-demo-client-secret-0001' };

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

// ---- RFC 6238 TOTP (SHA-1, 30 s, 6 digits), checked against the RFC's own vectors below.
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { bits -= 8; out.push((value >>> bits) & 0xff); }
  }
  return Buffer.from(out);
}
function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const off = h[19] & 0xf;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}
const totp = (secretB32, ms = Date.now()) => hotp(base32Decode(secretB32), Math.floor(ms / 30_000));

test('TOTP helper matches RFC 6238 Appendix B (SHA-1)', () => {
  const key = Buffer.from('12345678901234567890');
  assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
  assert.equal(hotp(key, Math.floor(2000000000 / 30), 8), '69279037');
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000), '287082');
});

async function outbox() {
  const r = await fetch(`${env.emulatorUrl}/_emulator/outbox`);
  assert.equal(r.status, 200);
  return r.json();
}
async function lastCode(username, purpose) {
  const items = (await outbox()).filter((m) => m.username === username && m.purpose === purpose);
  assert.ok(items.length > 0, `a ${purpose} code was sent to ${username}`);
  return items.at(-1).code;
}

const state = () => page.getAttribute('body', 'data-state');
async function waitState(...states) {
  await page.waitForSelector(states.map((s) => `body[data-state="${s}"]`).join(', '));
}
async function fill(fields) {
  for (const [name, value] of Object.entries(fields)) await page.getByTestId(`field-${name}`).fill(value);
}
async function submitPanel(...expect) {
  await page.getByTestId('panel-submit').click();
  await page.waitForSelector(`${expect.map((s) => `body[data-state="${s}"]`).join(', ')}, [role="alert"]:not([hidden])`);
}
async function signedInAs(username) {
  await waitState('signed-in');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), username);
}
async function signOut() {
  await page.getByTestId('signout').click();
  await waitState('signed-out');
}

test('sign up → confirm (outbox code, auto sign-in) → TOTP setup → sign in with TOTP → delete', T, async () => {
  await openDemo(env, page);
  await page.getByTestId('open-signup').click();
  await fill({ username: 'newbie', email: 'newbie@example.com', password: 'weak' });
  await submitPanel('panel');
  assert.equal((await alertCode(page)).code, 'InvalidPasswordException');
  await fill({ password: 'Newbie-Passw0rd!' });
  await page.getByTestId('panel-submit').click();
  await page.getByTestId('field-code').waitFor();
  assert.equal(await page.getByTestId('code-destination').textContent(), 'EMAIL to n***@e***');

  await fill({ code: '000000x' });
  await submitPanel('signed-in');
  assert.equal((await alertCode(page)).code, 'CodeMismatchException');
  await fill({ code: await lastCode('newbie', 'SIGN_UP') });
  await submitPanel('signed-in');
  await signedInAs('newbie');
  assert.equal(await page.getByTestId('claim-email_verified').textContent(), 'true');

  // TOTP setup while signed in.
  await page.getByTestId('open-totp').click();
  await page.getByTestId('totp-secret').waitFor();
  const secret = await page.getByTestId('totp-secret').textContent();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(await page.getByTestId('totp-uri').textContent(),
    `otpauth://totp/AWSCognito:newbie?secret=${secret}&issuer=AWSCognito`);
  await fill({ code: totp(secret) });
  await submitPanel('signed-in');
  assert.equal(await page.getByTestId('status').textContent(), 'Authenticator app enabled.');
  await signOut();

  // Next sign-in asks for the authenticator code.
  await signIn(page, 'newbie', 'Newbie-Passw0rd!');
  await waitState('challenge');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'SOFTWARE_TOKEN_MFA');
  await fill({ code: totp(secret) === '000000' ? '111111' : '000000' });
  await submitPanel('signed-in');
  assert.equal((await alertCode(page)).code, 'CodeMismatchException');
  assert.equal(await state(), 'challenge', 'a wrong code keeps the challenge answerable');
  await fill({ code: totp(secret) });
  await submitPanel('signed-in');
  await signedInAs('newbie');

  // GetUser shows the MFA settings; then delete the account.
  await page.getByTestId('show-profile').click();
  await page.getByTestId('profile').waitFor();
  const profile = JSON.parse(await page.getByTestId('profile').textContent());
  assert.equal(profile.username, 'newbie');
  assert.equal(profile.attributes.email, 'newbie@example.com');
  assert.equal(profile.preferredMfa, 'SOFTWARE_TOKEN_MFA');
  assert.deepEqual(profile.mfaMethods, ['SOFTWARE_TOKEN_MFA']);
  await page.getByTestId('delete-account').click();
  await waitState('signed-out');
  assert.equal(await page.evaluate(() => window.cognitoDemo.auth.currentSession()), null);
  await signIn(page, 'newbie', 'Newbie-Passw0rd!');
  assert.equal((await alertCode(page)).code, 'NotAuthorizedException');
});

test('autoSignIn: ConfirmSignUp\'s Session signs in by USER_AUTH without the password; the password fallback; a client without USER_AUTH', T, async () => {
  await openDemo(env, page);
  const initiates = [];
  page.on('request', (r) => {
    if (r.headers()['x-amz-target']?.endsWith('.InitiateAuth')) initiates.push(JSON.parse(r.postData()));
  });
  const DEVICES_CLIENT = '3devicesclient00emulator01'; // no ALLOW_USER_AUTH (no explicitAuthFlows)
  const run = (clientId, username, autoSignIn, code) => page.evaluate(async ({ clientId, username, autoSignIn, code }) => {
    const { CognitoAuth } = await import('/pkg/cognito_wasm.js');
    const cfg = window.cognitoDemo.config;
    const a = (window.autoAuth ??= {})[clientId] ??= new CognitoAuth({ userPoolId: cfg.userPoolId, clientId, endpoint: cfg.endpoint, storage: 'memory' });
    if (!code) {
      await a.signUp({ username, password: 'Auto-Passw0rd!', attributes: { email: `${username}@example.com` }, autoSignIn });
      return null;
    }
    const r = await a.confirmSignUp({ username, code });
    return { type: r.type, username: r.session?.username ?? null, err: r.autoSignInError?.code ?? null, isError: r.autoSignInError instanceof Error };
  }, { clientId, username, autoSignIn, code });
  const journey = async (clientId, username, autoSignIn) => {
    await run(clientId, username, autoSignIn);
    initiates.length = 0;
    return run(clientId, username, autoSignIn, await lastCode(username, 'SIGN_UP'));
  };

  // true: InitiateAuth USER_AUTH with ConfirmSignUp's Session, nothing password-derived.
  assert.deepEqual(await journey(CLIENT_ID, 'auto1', true), { type: 'signedIn', username: 'auto1', err: null, isError: false });
  assert.equal(initiates.length, 1);
  assert.equal(initiates[0].AuthFlow, 'USER_AUTH');
  assert.deepEqual(initiates[0].AuthParameters, { USERNAME: 'auto1' });
  assert.ok(initiates[0].Session?.length > 20, 'the Session from ConfirmSignUp');
  // 'password': the documented fallback, USER_SRP_AUTH.
  assert.deepEqual(await journey(DEVICES_CLIENT, 'auto2', 'password'), { type: 'signedIn', username: 'auto2', err: null, isError: false });
  assert.equal(initiates[0].AuthFlow, 'USER_SRP_AUTH');
  // true on a client without ALLOW_USER_AUTH: confirmed, not signed in, and why.
  assert.deepEqual(await journey(DEVICES_CLIENT, 'auto3', true), { type: 'confirmed', username: null, err: 'InvalidParameterException', isError: true });
  // A bad value is refused before anything is sent.
  const bad = await page.evaluate(() => window.cognitoDemo.auth.signUp({ username: 'x', password: 'Auto-Passw0rd!', autoSignIn: 'yes' }).then(() => 'resolved', (e) => e.code));
  assert.equal(bad, 'InvalidInput');
});

test('forgot password: code from the outbox, then sign in with the new password', T, async () => {
  await openDemo(env, page);
  await page.getByTestId('open-forgot').click();
  await fill({ username: 'demo' });
  await page.getByTestId('panel-submit').click();
  await page.getByTestId('field-code').waitFor();
  assert.equal(await page.getByTestId('code-destination').textContent(), 'EMAIL to d***@e***');
  await fill({ code: await lastCode('demo', 'FORGOT_PASSWORD'), newPassword: 'Reset-Passw0rd!' });
  await submitPanel('signed-out');
  assert.equal(await page.getByTestId('status').textContent(), 'Password reset: sign in with the new password.');
  await signIn(page, 'demo', USERS.demo.password);
  assert.equal((await alertCode(page)).code, 'NotAuthorizedException');
  await signIn(page, 'demo', 'Reset-Passw0rd!');
  await signedInAs('demo');
});

test('NEW_PASSWORD_REQUIRED with a required attribute', T, async () => {
  await openDemo(env, page);
  await signIn(page, 'forced', 'Temp-Passw0rd!');
  await waitState('challenge');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'NEW_PASSWORD_REQUIRED');
  const challenge = await page.evaluate(() => window.cognitoDemo.auth.signIn({ username: 'forced', password: 'Temp-Passw0rd!' }));
  assert.deepEqual(challenge.requiredAttributes, ['name']);
  assert.deepEqual(challenge.userAttributes, { email: 'forced@example.com' });
  await fill({ newPassword: 'Forced-N3w-Passw0rd!', 'attr-name': 'Forced User' });
  await submitPanel('signed-in');
  await signedInAs('forced');
  assert.equal(await page.getByTestId('claim-email').textContent(), 'forced@example.com');
  await signOut();
  await signIn(page, 'forced', 'Forced-N3w-Passw0rd!');
  await signedInAs('forced');
});

test('change password, and change email with verification', T, async () => {
  await openDemo(env, page);
  await signIn(page, 'alice@example.com', USERS.alice.password);
  await signedInAs('alice');
  await page.getByTestId('open-change-password').click();
  await fill({ oldPassword: 'wrong', newPassword: 'Alice-N3w-Passw0rd!' });
  await submitPanel('signed-in');
  assert.equal((await alertCode(page)).code, 'NotAuthorizedException');
  await fill({ oldPassword: USERS.alice.password });
  await submitPanel('signed-in');
  assert.equal(await page.getByTestId('status').textContent(), 'Password changed.');

  await page.getByTestId('open-change-email').click();
  await fill({ email: 'alice.new@example.com' });
  await page.getByTestId('panel-submit').click();
  await page.getByTestId('code-destination').waitFor();
  assert.equal(await page.getByTestId('code-destination').textContent(), 'EMAIL to a***@e***');
  await fill({ code: await lastCode('alice', 'VERIFY_email') });
  await submitPanel('signed-in');
  const profile = JSON.parse(await page.getByTestId('profile').textContent());
  assert.equal(profile.attributes.email, 'alice.new@example.com');
  assert.equal(profile.attributes.email_verified, 'true');

  await signOut();
  await signIn(page, 'alice', 'Alice-N3w-Passw0rd!');
  await signedInAs('alice');
});

test('SMS_MFA (wrong code, then right) and SELECT_MFA_TYPE → EMAIL_OTP', T, async () => {
  await openDemo(env, page);
  await signIn(page, 'smsuser', 'Sms-Passw0rd!');
  await waitState('challenge');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'SMS_MFA');
  assert.equal(await page.getByTestId('code-destination').textContent(), '+*******0123');
  await fill({ code: '12345x' });
  await submitPanel('signed-in');
  assert.equal((await alertCode(page)).code, 'CodeMismatchException');
  await fill({ code: await lastCode('smsuser', 'SMS_MFA') });
  await submitPanel('signed-in');
  await signedInAs('smsuser');
  await signOut();

  await signIn(page, 'twofactor', 'Two-Passw0rd!');
  await waitState('challenge');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'SELECT_MFA_TYPE');
  const options = await page.getByTestId('field-mfaType').locator('option').allTextContents();
  assert.deepEqual(options, ['SMS_MFA', 'EMAIL_OTP']);
  await page.getByTestId('field-mfaType').selectOption('EMAIL_OTP');
  await page.getByTestId('panel-submit').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="challenge-name"]')?.textContent === 'EMAIL_OTP');
  assert.equal(await page.getByTestId('code-destination').textContent(), 't***@e***');
  await fill({ code: await lastCode('twofactor', 'EMAIL_OTP') });
  await submitPanel('signed-in');
  await signedInAs('twofactor');
});

test('CUSTOM_AUTH (with and without SRP) and USER_PASSWORD_AUTH through the package API', T, async () => {
  await openDemo(env, page);
  const r = await page.evaluate(async () => {
    const auth = window.cognitoDemo.auth;
    const out = {};
    const c = await auth.signIn({ username: 'demo', authFlow: 'CUSTOM_AUTH', clientMetadata: { app: 'e2e' } });
    out.custom = { type: c.type, name: c.name, question: c.parameters.question };
    const wrong = await auth.respondToChallenge({ answer: '41' });
    out.wrong = { type: wrong.type, name: wrong.name };
    out.signedIn = (await auth.respondToChallenge({ answer: '42' })).type;
    const s = await auth.signIn({ username: 'alice', password: 'Alice-Passw0rd!', authFlow: 'CUSTOM_AUTH' });
    out.srpCustom = s.name;
    out.srpSignedIn = (await auth.respondToChallenge({ answer: '42' })).session.username;
    try { await auth.signIn({ username: 'alice', password: 'nope', authFlow: 'CUSTOM_AUTH' }); } catch (e) { out.badPassword = e.code; }
    out.password = (await auth.signIn({ username: 'demo', password: 'Demo-Passw0rd!', authFlow: 'USER_PASSWORD_AUTH' })).session.username;
    try { await auth.signIn({ username: 'demo', password: 'x', authFlow: 'USER_PASSWORD_AUTH' }); } catch (e) { out.passwordWrong = e.code; }
    try { await auth.respondToChallenge({ code: '1' }); } catch (e) { out.nothingPending = e.code; }
    try { await auth.signIn({ username: 'demo', password: 'x', authFlow: 'NOPE' }); } catch (e) { out.badFlow = e.code; }
    return out;
  });
  assert.deepEqual(r, {
    custom: { type: 'challenge', name: 'CUSTOM_CHALLENGE', question: 'What is 6 times 7?' },
    wrong: { type: 'challenge', name: 'CUSTOM_CHALLENGE' },
    signedIn: 'signedIn',
    srpCustom: 'CUSTOM_CHALLENGE',
    srpSignedIn: 'alice',
    badPassword: 'NotAuthorizedException',
    password: 'demo',
    passwordWrong: 'NotAuthorizedException',
    nothingPending: 'InvalidInput',
    badFlow: 'InvalidInput',
  });
});

test('clientSecret: SECRET_HASH on sign-in (SRP and password) and forgot password', T, async () => {
  await openDemo(env, page);
  const r = await page.evaluate(async ({ endpoint, pool, client }) => {
    const Ctor = window.cognitoDemo.auth.constructor;
    const out = {};
    const withSecret = new Ctor({ endpoint, userPoolId: pool, clientId: client.clientId, clientSecret: client.clientSecret, storage: 'memory' });
    out.srp = (await withSecret.signIn({ username: 'alice@example.com', password: 'Alice-Passw0rd!' })).session.username;
    out.password = (await withSecret.signIn({ username: 'demo', password: 'Demo-Passw0rd!', authFlow: 'USER_PASSWORD_AUTH' })).session.username;
    out.forgot = (await withSecret.forgotPassword({ username: 'demo' })).codeDelivery.medium;
    const without = new Ctor({ endpoint, userPoolId: pool, clientId: client.clientId, storage: 'memory' });
    try { await without.signIn({ username: 'demo', password: 'Demo-Passw0rd!' }); } catch (e) { out.missing = e.code; }
    const wrong = new Ctor({ endpoint, userPoolId: pool, clientId: client.clientId, clientSecret: 'wrong', storage: 'memory' });
    try { await wrong.signIn({ username: 'demo', password: 'Demo-Passw0rd!' }); } catch (e) { out.wrong = e.code; }
    return out;
  }, { endpoint: env.endpoint, pool: POOL_ID, client: SECRET_CLIENT });
  assert.deepEqual(r, { srp: 'alice', password: 'demo', forgot: 'EMAIL', missing: 'NotAuthorizedException', wrong: 'NotAuthorizedException' });
});

test('throttling: GetUser is retried with backoff; ConfirmSignUp is not repeated', T, async () => {
  await openDemo(env, page);
  await signIn(page, 'demo', USERS.demo.password);
  await signedInAs('demo');
  const throttle = (target, count) => env.control('faults', {
    target, status: 400, contentType: 'application/x-amz-json-1.1', count,
    body: JSON.stringify({ __type: 'TooManyRequestsException', message: 'Rate exceeded' }),
  });
  await throttle('GetUser', 2);
  const user = await page.evaluate(() => window.cognitoDemo.auth.getUser());
  assert.equal(user.username, 'demo');

  await throttle('GetUser', 3);
  const e = await page.evaluate(() => window.cognitoDemo.auth.getUser().then(() => null, (e) => ({ code: e.code, retryable: e.retryable })));
  assert.deepEqual(e, { code: 'TooManyRequestsException', retryable: true });

  await page.evaluate(() => window.cognitoDemo.auth.signUp({ username: 'throttled', password: 'Thr0ttled-Pass!', attributes: { email: 't@example.com' } }));
  const code = await lastCode('throttled', 'SIGN_UP');
  await throttle('ConfirmSignUp', 1);
  const first = await page.evaluate((code) => window.cognitoDemo.auth.confirmSignUp({ username: 'throttled', code })
    .then((r) => r.type, (e) => e.code), code);
  assert.equal(first, 'TooManyRequestsException', 'a one-time code is not sent twice behind the app’s back');
  // The fault was used up by that single call: the app's own retry goes through.
  const second = await page.evaluate((code) => window.cognitoDemo.auth.confirmSignUp({ username: 'throttled', code })
    .then((r) => r.type, (e) => e.code), code);
  assert.equal(second, 'confirmed');
});

test('not signed in: account calls reject with NotSignedIn', T, async () => {
  await openDemo(env, page);
  const codes = await page.evaluate(async () => {
    const auth = window.cognitoDemo.auth;
    const out = [];
    for (const f of [() => auth.getUser(), () => auth.setUpTotp(), () => auth.changePassword({ oldPassword: 'a', newPassword: 'b' })]) {
      try { await f(); out.push('resolved'); } catch (e) { out.push(e.code); }
    }
    return out;
  });
  assert.deepEqual(codes, ['NotSignedIn', 'NotSignedIn', 'NotSignedIn']);
  assert.equal(CLIENT_ID, '7f3kq2m9emulatorclient0001');
});
