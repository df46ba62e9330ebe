// End-to-end: choice-based sign-in (USER_AUTH) and passkeys through the package API in
// headless Chromium, against the emulator, with a CDP virtual authenticator (ctap2,
// internal transport, resident keys, user verification). WebAuthn refuses an IP address as
// relying-party id, so the page is served as http://localhost:PORT (the servers still bind
// 127.0.0.1; Chromium resolves localhost to loopback). Codes come from the emulator outbox.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, POOL_ID, CLIENT_ID } from './harness.mjs';

const T = { timeout: 120_000 };
const USER = { username: 'passkey', password: 'Passkey-Passw0rd!' };
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };

let env;
const contexts = [];

before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => {
  const errors = [];
  for (const c of contexts.splice(0)) {
    for (const p of c.pages()) errors.push(...(p.errors ?? []).map((e) => e.stack ?? String(e)));
    await c.close();
  }
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

/**
 * A fresh context on http://{host}:PORT/blank.html with `window.auth` (the package API) and
 * a virtual authenticator. Returns { page, cdp, authenticatorId }.
 */
async function open({ host = 'localhost', authenticator = AUTHENTICATOR } = {}) {
  await env.control('reset');
  const context = await env.browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  const origin = env.webUrl.replace('127.0.0.1', host);
  await page.goto(`${origin}/blank.html`);
  await page.evaluate(async (cfg) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default();
    window.CognitoAuth = m.CognitoAuth;
    window.auth = new m.CognitoAuth(cfg);
    // Runs an API call and resolves with { value } or { error: { code, name, message } }.
    window.run = (f) => Promise.resolve().then(f).then(
      (value) => ({ value }),
      (e) => ({ error: { code: e.code, name: e.name, message: e.message, isError: e instanceof Error } }),
    );
  }, { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint, storage: 'memory' });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  let authenticatorId = null;
  if (authenticator) ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: authenticator }));
  return { page, cdp, authenticatorId };
}

/** page.evaluate of `async (arg) => …` through window.run: { value } or { error }. */
const run = (page, fn, arg) => page.evaluate(([src, a]) => window.run(() => (0, eval)(src)(a)), [String(fn), arg]);

async function ok(page, fn, arg) {
  const r = await run(page, fn, arg);
  assert.equal(r.error, undefined, `unexpected rejection: ${JSON.stringify(r.error)}`);
  return r.value;
}

async function rejected(page, fn, arg) {
  const r = await run(page, fn, arg);
  assert.ok(r.error, `expected a rejection, got ${JSON.stringify(r.value)}`);
  assert.equal(r.error.isError, true, 'rejections are Error objects');
  assert.equal(r.error.name, r.error.code);
  return r.error;
}

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

/** The virtual authenticator's credentials, ids as base64url (CDP gives standard base64). */
async function authenticatorCredentials(cdp, authenticatorId) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials.map((c) => ({ ...c, id: Buffer.from(c.credentialId, 'base64').toString('base64url') }));
}

const signInWithPassword = (page, user = USER) => ok(page, (u) => auth.signIn(u), user);
const passkeySignIn = (page, username = USER.username) => run(page, (u) => auth.signIn({ username: u, preferredChallenge: 'WEB_AUTHN' }), username);

test('password → registerPasskey → sign out → passkey sign-in → list → delete → the passkey no longer works', T, async () => {
  const { page, cdp, authenticatorId } = await open();
  assert.equal(await page.evaluate(() => CognitoAuth.isPasskeySupported()), true);
  assert.equal((await signInWithPassword(page)).type, 'signedIn');
  assert.deepEqual(await authenticatorCredentials(cdp, authenticatorId), []);

  const { credentialId } = await ok(page, () => auth.registerPasskey());
  const [cred] = await authenticatorCredentials(cdp, authenticatorId);
  assert.equal(credentialId, cred.id, 'registerPasskey resolves with the authenticator credential id');
  assert.equal(cred.rpId, 'localhost');
  assert.equal(cred.isResidentCredential, true, 'Cognito asks for a discoverable credential');
  assert.equal(cred.userName, USER.username);
  const signCount = cred.signCount;

  assert.equal((await ok(page, () => auth.signOut())).revoked, true);
  assert.equal(await ok(page, () => auth.currentSession()), null);

  // One call: InitiateAuth(WEB_AUTHN) → navigator.credentials.get → RespondToAuthChallenge.
  const signedIn = await passkeySignIn(page);
  assert.equal(signedIn.error, undefined, JSON.stringify(signedIn.error));
  assert.equal(signedIn.value.type, 'signedIn');
  assert.equal(signedIn.value.session.username, USER.username);
  assert.equal(signedIn.value.session.idTokenClaims['cognito:username'], USER.username);
  assert.equal((await ok(page, () => auth.currentSession())).username, USER.username);
  const [used] = await authenticatorCredentials(cdp, authenticatorId);
  assert.ok(used.signCount > signCount, `the authenticator signed an assertion (${signCount} → ${used.signCount})`);

  const listed = await ok(page, () => auth.listPasskeys());
  assert.equal(listed.nextToken, null);
  assert.equal(listed.passkeys.length, 1);
  const [pk] = listed.passkeys;
  assert.equal(pk.credentialId, cred.id, 'listPasskeys shows the authenticator credential id');
  assert.equal(pk.relyingPartyId, 'localhost');
  assert.equal(pk.authenticatorAttachment, 'platform');
  assert.deepEqual(pk.transports, ['internal']);
  assert.ok(Math.abs(pk.createdAt - Date.now()) < 120_000, `createdAt ${pk.createdAt} is ms since the epoch, recent`);

  // A ceremony the user does not verify: PasskeyCancelled, nothing sent, the challenge stays.
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  const cancelled = await passkeySignIn(page);
  assert.equal(cancelled.error?.code, 'PasskeyCancelled', JSON.stringify(cancelled));
  // Delete the passkey with the session still held, then retry the pending ceremony: the
  // authenticator signs with the deleted credential and Cognito refuses it.
  assert.equal(await ok(page, (id) => auth.deletePasskey(id), cred.id), undefined);
  assert.deepEqual((await ok(page, () => auth.listPasskeys())).passkeys, []);
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  assert.equal((await rejected(page, () => auth.respondToChallenge({ code: '1' }))).code, 'InvalidInput');
  const stale = await rejected(page, () => auth.respondToChallenge({ answer: 'WEB_AUTHN' }));
  assert.equal(stale.code, 'NotAuthorizedException', stale.message);
  const gone = await rejected(page, (id) => auth.deletePasskey(id), cred.id);
  assert.equal(gone.code, 'ResourceNotFoundException');

  // Signed out, a passkey sign-in now offers the other factors instead.
  await ok(page, () => auth.signOut());
  const again = await passkeySignIn(page);
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.equal(again.value.type, 'challenge');
  assert.equal(again.value.name, 'SELECT_CHALLENGE');
  assert.ok(!again.value.availableChallenges.includes('WEB_AUTHN'), String(again.value.availableChallenges));
  assert.ok(again.value.availableChallenges.includes('PASSWORD_SRP'));
  // Management calls need a session.
  assert.equal((await rejected(page, () => auth.registerPasskey())).code, 'NotSignedIn');
  assert.equal((await rejected(page, () => auth.listPasskeys())).code, 'NotSignedIn');
});

test('typed WebAuthn errors: unverified registration, same authenticator twice, wrong relying party', T, async () => {
  const { page, cdp, authenticatorId } = await open();
  await signInWithPassword(page);
  // The user does not verify: PasskeyCancelled, nothing registered.
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  assert.equal((await rejected(page, () => auth.registerPasskey())).code, 'PasskeyCancelled');
  assert.deepEqual(await authenticatorCredentials(cdp, authenticatorId), []);
  assert.deepEqual((await ok(page, () => auth.listPasskeys())).passkeys, []);
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });

  const first = await ok(page, () => auth.registerPasskey());
  // excludeCredentials lists it: the browser refuses a second one on the same authenticator.
  const dup = await rejected(page, () => auth.registerPasskey());
  assert.equal(dup.code, 'PasskeyAlreadyRegistered', dup.message);
  assert.equal((await authenticatorCredentials(cdp, authenticatorId)).length, 1);

  // Another authenticator (a security key) can register; both are listed, and a passkey
  // sign-in works with either.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  const { authenticatorId: key } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { ...AUTHENTICATOR, transport: 'usb' },
  });
  const second = await ok(page, () => auth.registerPasskey());
  assert.notEqual(second.credentialId, first.credentialId);
  assert.equal((await authenticatorCredentials(cdp, key))[0].id, second.credentialId);
  const page1 = await ok(page, () => auth.listPasskeys({ maxResults: 1 }));
  assert.equal(page1.passkeys.length, 1);
  assert.equal(typeof page1.nextToken, 'string', 'one page of one, with a token for the next');
  const page2 = await ok(page, (t) => auth.listPasskeys({ maxResults: 1, nextToken: t }), page1.nextToken);
  assert.equal(page2.passkeys.length, 1);
  assert.equal(page2.nextToken, null);
  const ids = [page1.passkeys[0].credentialId, page2.passkeys[0].credentialId].sort();
  assert.deepEqual(ids, [first.credentialId, second.credentialId].sort());
  const all = await ok(page, () => auth.listPasskeys());
  assert.deepEqual(all.passkeys.map((p) => p.credentialId).sort(), ids);
  assert.equal(all.passkeys.find((p) => p.credentialId === second.credentialId).authenticatorAttachment, 'cross-platform');
  assert.equal((await rejected(page, () => auth.listPasskeys({ maxResults: 21 }))).code, 'InvalidInput');
  await ok(page, () => auth.signOut());
  const viaKey = await passkeySignIn(page);
  assert.equal(viaKey.value?.type, 'signedIn', JSON.stringify(viaKey));

  // A page on 127.0.0.1 (an IP address) cannot use the relying party "localhost".
  const other = await open({ host: '127.0.0.1' });
  await signInWithPassword(other.page);
  const rp = await rejected(other.page, () => auth.registerPasskey());
  assert.equal(rp.code, 'PasskeyRpMismatch', rp.message);
});

test('email OTP sign-in: code from the outbox; a wrong code is CodeMismatchException, then success', T, async () => {
  const { page } = await open();
  const before = (await outbox()).length;
  const c = await ok(page, (u) => auth.signIn({ username: u, preferredChallenge: 'EMAIL_OTP' }), USER.username);
  assert.equal(c.type, 'challenge');
  assert.equal(c.name, 'EMAIL_OTP');
  assert.equal(c.codeDelivery.medium, 'EMAIL');
  assert.match(c.codeDelivery.destination, /^p\*\*\*@e\*\*\*/);
  const sent = (await outbox()).slice(before);
  assert.equal(sent.length, 1, 'one code sent');
  assert.equal(sent[0].destination, 'passkey@example.com');
  const code = await lastCode(USER.username, 'EMAIL_OTP');
  const wrong = code === '000000' ? '111111' : '000000';
  assert.equal((await rejected(page, (x) => auth.respondToChallenge({ code: x }), wrong)).code, 'CodeMismatchException');
  const r = await ok(page, (x) => auth.respondToChallenge({ code: x }), code);
  assert.equal(r.type, 'signedIn');
  assert.equal(r.session.username, USER.username);
});

test('SMS OTP sign-in with the code from the outbox', T, async () => {
  const { page } = await open();
  const c = await ok(page, (u) => auth.signIn({ username: u, preferredChallenge: 'SMS_OTP' }), USER.username);
  assert.equal(c.name, 'SMS_OTP');
  assert.equal(c.codeDelivery.medium, 'SMS');
  assert.match(c.codeDelivery.destination, /0142$/);
  assert.equal((await rejected(page, () => auth.respondToChallenge({ newPassword: 'x' }))).code, 'InvalidInput');
  const r = await ok(page, (x) => auth.respondToChallenge({ code: x }), await lastCode(USER.username, 'SMS_OTP'));
  assert.equal(r.session.username, USER.username);
});

test('SELECT_CHALLENGE offers what the user has, and each factor can be picked', T, async () => {
  const { page } = await open();
  await signInWithPassword(page);
  await ok(page, () => auth.registerPasskey());
  await ok(page, () => auth.signOut());
  const select = () => ok(page, (u) => auth.signIn({ username: u }), USER.username);

  const s = await select();
  assert.equal(s.type, 'challenge');
  assert.equal(s.name, 'SELECT_CHALLENGE');
  assert.deepEqual([...s.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP', 'WEB_AUTHN']);
  assert.equal((await rejected(page, () => auth.respondToChallenge({ code: '123456' }))).code, 'InvalidInput');
  assert.equal((await rejected(page, () => auth.respondToChallenge({ answer: 'TOTP' }))).code, 'InvalidInput');
  assert.equal((await rejected(page, () => auth.respondToChallenge({ answer: 'PASSWORD' }))).code, 'InvalidInput', 'PASSWORD needs a password');
  let r = await ok(page, () => auth.respondToChallenge({ answer: 'WEB_AUTHN' }));
  assert.equal(r.type, 'signedIn', 'WEB_AUTHN: the ceremony ran and the sign-in completed');

  await select();
  r = await ok(page, () => auth.respondToChallenge({ answer: 'EMAIL_OTP' }));
  assert.equal(r.name, 'EMAIL_OTP');
  r = await ok(page, (x) => auth.respondToChallenge({ code: x }), await lastCode(USER.username, 'EMAIL_OTP'));
  assert.equal(r.type, 'signedIn');

  await select();
  r = await ok(page, () => auth.respondToChallenge({ answer: 'SMS_OTP' }));
  assert.equal(r.name, 'SMS_OTP');
  r = await ok(page, (x) => auth.respondToChallenge({ code: x }), await lastCode(USER.username, 'SMS_OTP'));
  assert.equal(r.type, 'signedIn');

  for (const answer of [{ answer: 'PASSWORD', password: USER.password }, { answer: 'PASSWORD_SRP', password: USER.password }, { password: USER.password }]) {
    await select();
    r = await ok(page, (a) => auth.respondToChallenge(a), answer);
    assert.equal(r.type, 'signedIn', JSON.stringify(answer));
    assert.equal(r.session.username, USER.username);
  }
  await select();
  const bad = await rejected(page, () => auth.respondToChallenge({ answer: 'PASSWORD_SRP', password: 'Wrong-Passw0rd!' }));
  assert.equal(bad.code, 'NotAuthorizedException');

  // A user with a verified email only and no passkey: no WEB_AUTHN, no SMS_OTP.
  const d = await ok(page, () => auth.signIn({ username: 'demo' }));
  assert.deepEqual([...d.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
});

test('PASSWORD_SRP and PASSWORD via USER_AUTH, with MFA after the password', T, async () => {
  const { page } = await open();
  let r = await ok(page, (u) => auth.signIn({ ...u, preferredChallenge: 'PASSWORD_SRP' }), USER);
  assert.equal(r.type, 'signedIn');
  assert.equal(r.session.username, USER.username);
  r = await ok(page, (u) => auth.signIn({ ...u, authFlow: 'USER_AUTH' }), USER);
  assert.equal(r.type, 'signedIn', 'a password without preferredChallenge prefers PASSWORD_SRP');
  const wrong = await rejected(page, (u) => auth.signIn({ username: u, password: 'Wrong-Passw0rd!', preferredChallenge: 'PASSWORD_SRP' }), USER.username);
  assert.equal(wrong.code, 'NotAuthorizedException');
  assert.equal((await rejected(page, () => auth.signIn({ username: 'passkey', preferredChallenge: 'PASSWORD' }))).code, 'InvalidInput');

  // smsuser has SMS MFA: after PASSWORD (and after PASSWORD_SRP) comes SMS_MFA.
  for (const preferredChallenge of ['PASSWORD', 'PASSWORD_SRP']) {
    r = await ok(page, (p) => auth.signIn({ username: 'smsuser', password: 'Sms-Passw0rd!', preferredChallenge: p }), preferredChallenge);
    assert.equal(r.type, 'challenge', preferredChallenge);
    assert.equal(r.name, 'SMS_MFA');
    r = await ok(page, (x) => auth.respondToChallenge({ code: x }), await lastCode('smsuser', 'SMS_MFA'));
    assert.equal(r.type, 'signedIn');
    assert.equal(r.session.username, 'smsuser');
  }
  // signIn({ username, password }) is still USER_SRP_AUTH.
  r = await ok(page, (u) => auth.signIn(u), USER);
  assert.equal(r.type, 'signedIn');
});
