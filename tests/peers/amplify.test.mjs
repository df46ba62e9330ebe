// aws-amplify 6.22.1 (aws-amplify/auth), bundled with esbuild, in headless Chromium against
// the emulator: every journey Amplify offers that the emulator serves. Each test must pass;
// a failure here means the emulator (or our reading of Cognito) is wrong, not Amplify.
//
// Journeys Amplify lacks (covered in cij.test.mjs instead):
//   - REFRESH_TOKEN_AUTH: Amplify v6 refreshes only with GetTokensFromRefreshToken.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, run, rejects, claims, totp, POOL_ID, CLIENT_ID, DEVICES_CLIENT_ID, IDENTITY_POOL_ID,
  MFA_POOL_ID, MFA_CLIENT_ID, ROTATING_CLIENT_ID,
} from './harness.mjs';

const T = { timeout: 120_000 };
const DEMO = { username: 'demo', password: 'Demo-Passw0rd!' };
let env;

before(async () => { env = await setup({ mfaPool: true, updatedIssuer: true }); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => { await env.closePages(); });

/**
 * Amplify's config for the emulator (the main pool unless told otherwise). Only the
 * identity-pool test adds the identity pool, so that journey's outcome stays its own.
 */
function config(over = {}) {
  return {
    Auth: {
      Cognito: {
        userPoolId: POOL_ID,
        userPoolClientId: CLIENT_ID,
        userPoolEndpoint: env.endpoint,
        ...over,
      },
    },
  };
}

/** A fresh page with Amplify configured. */
async function amplify(over, opts) {
  const o = await env.open(opts);
  await run(o.page, (c) => { window.Amplify.configure(c); }, config(over));
  return o;
}

const signIn = (page, input) => run(page, (i) => window.auth.signIn(i), input);
const confirmSignIn = (page, input) => run(page, (i) => window.auth.confirmSignIn(i), input);
const signOut = (page, input) => run(page, (i) => window.auth.signOut(i), input);
/** The tokens of fetchAuthSession as strings (plus identityId and whether credentials came). */
const session = (page, input) => run(page, async (i) => {
  const s = await window.auth.fetchAuthSession(i);
  return {
    accessToken: s.tokens?.accessToken?.toString(),
    idToken: s.tokens?.idToken?.toString(),
    identityId: s.identityId,
    accessKeyId: s.credentials?.accessKeyId,
  };
}, input);
const stats = () => env.get('stats');

/** Calls the emulator's user-pool API directly, as a second opinion on a token. */
async function api(op, body) {
  const r = await fetch(env.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

/** Amplify's refresh token for the signed-in user, from its localStorage keys. */
const storedRefreshToken = (page, client = CLIENT_ID) => page.evaluate((clientId) => {
  const prefix = `CognitoIdentityServiceProvider.${clientId}.`;
  const user = localStorage.getItem(`${prefix}LastAuthUser`);
  return localStorage.getItem(`${prefix}${user}.refreshToken`);
}, client);

test('SRP sign-in: tokens for the user; a wrong password is NotAuthorizedException', T, async () => {
  const { page } = await amplify();
  const bad = await rejects(page, (i) => window.auth.signIn(i), { username: 'demo', password: 'Wrong-Passw0rd!' });
  assert.equal(bad.name, 'NotAuthorizedException');
  assert.equal(bad.message, 'Incorrect username or password.');
  const r = await signIn(page, DEMO);
  assert.deepEqual(r, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const s = await session(page);
  assert.equal(claims(s.idToken)['cognito:username'], 'demo');
  assert.equal(claims(s.idToken).email, 'demo@example.com');
  assert.equal(claims(s.accessToken).client_id, CLIENT_ID);
  const me = await run(page, () => window.auth.getCurrentUser());
  assert.equal(me.username, 'demo');
  assert.equal(me.userId, claims(s.idToken).sub);
  const st = await stats();
  assert.equal(st['InitiateAuth:USER_SRP_AUTH'], 2);
  assert.equal(st.RespondToAuthChallenge, 2);
  // An unconfirmed user: Amplify turns UserNotConfirmedException into a next step.
  await signOut(page);
  const p = await signIn(page, { username: 'pending', password: 'Pending-Passw0rd!' });
  assert.deepEqual(p, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_UP' } });
});

test('refresh: fetchAuthSession({ forceRefresh }) uses GetTokensFromRefreshToken', T, async () => {
  const { page } = await amplify();
  await signIn(page, DEMO);
  const before = await session(page);
  const refreshBefore = await storedRefreshToken(page);
  await new Promise((r) => setTimeout(r, 1100)); // a new iat
  const after = await session(page, { forceRefresh: true });
  assert.equal((await stats()).GetTokensFromRefreshToken, 1);
  assert.notEqual(after.accessToken, before.accessToken);
  assert.ok(claims(after.accessToken).iat > claims(before.accessToken).iat);
  assert.equal(claims(after.idToken).sub, claims(before.idToken).sub);
  // The new access token works.
  const u = await api('GetUser', { AccessToken: after.accessToken });
  assert.equal(u.status, 200);
  assert.equal(u.body.Username, 'demo');
  // This client does not rotate: no new refresh token came, Amplify keeps the one it had.
  assert.equal(await storedRefreshToken(page), refreshBefore);
});

test('refresh on a client with refresh-token rotation: Amplify stores the new refresh token', T, async () => {
  const { page } = await amplify({ userPoolClientId: ROTATING_CLIENT_ID });
  await signIn(page, DEMO);
  const first = await storedRefreshToken(page, ROTATING_CLIENT_ID);
  await session(page, { forceRefresh: true });
  const second = await storedRefreshToken(page, ROTATING_CLIENT_ID);
  assert.ok(second);
  assert.notEqual(second, first);
  // The rotated token refreshes; REFRESH_TOKEN_AUTH is refused on such a client.
  const r = await api('GetTokensFromRefreshToken', { ClientId: ROTATING_CLIENT_ID, RefreshToken: second });
  assert.equal(r.status, 200);
  const rta = await api('InitiateAuth', { ClientId: ROTATING_CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: second } });
  assert.equal(rta.body.__type, 'InvalidParameterException');
});

test('global sign-out: the refresh and access tokens stop working', T, async () => {
  const { page } = await amplify();
  await signIn(page, DEMO);
  const s = await session(page);
  const refreshToken = await storedRefreshToken(page);
  assert.ok(refreshToken);
  await signOut(page, { global: true });
  assert.equal((await stats()).GlobalSignOut, 1);
  const gone = await rejects(page, () => window.auth.getCurrentUser());
  assert.equal(gone.name, 'UserUnAuthenticatedException');
  const u = await api('GetUser', { AccessToken: s.accessToken });
  assert.equal(u.body.__type, 'NotAuthorizedException');
  const r = await api('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: refreshToken });
  assert.equal(r.body.__type, 'NotAuthorizedException');
});

async function signUpAndConfirm(page, username, autoSignIn) {
  const up = await run(page, (i) => window.auth.signUp(i), {
    username, password: 'Fresh-Passw0rd!1', options: { userAttributes: { email: `${username}@example.com` }, autoSignIn },
  });
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const code = await env.code(username, 'SIGN_UP');
  const c = await run(page, (i) => window.auth.confirmSignUp(i), { username, confirmationCode: code });
  assert.deepEqual(c.nextStep, { signUpStep: 'COMPLETE_AUTO_SIGN_IN' });
  assert.equal(c.isSignUpComplete, true);
  const r = await run(page, () => window.auth.autoSignIn());
  assert.deepEqual(r, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const s = await session(page);
  assert.equal(claims(s.idToken)['cognito:username'], username);
  assert.equal(claims(s.idToken).email_verified, true);
}

test('sign-up, confirm, autoSignIn with the password (SRP)', T, async () => {
  const { page } = await amplify();
  await signUpAndConfirm(page, 'newbie', true);
  const st = await stats();
  assert.equal(st['InitiateAuth:USER_SRP_AUTH'], 1);
});

test('sign-up, confirm, autoSignIn by USER_AUTH with the ConfirmSignUp Session', T, async () => {
  const { page } = await amplify();
  await signUpAndConfirm(page, 'sessionuser', { authFlowType: 'USER_AUTH' });
  const st = await stats();
  // One InitiateAuth(USER_AUTH, Session) straight to tokens: no password, no challenge.
  assert.equal(st['InitiateAuth:USER_AUTH'], 1);
  assert.equal(st.InitiateAuth, 1);
  assert.equal(st.RespondToAuthChallenge, undefined);
});

test('reset password: code by email, new password works, the old one does not', T, async () => {
  const { page } = await amplify();
  const r = await run(page, (i) => window.auth.resetPassword(i), { username: 'demo' });
  assert.equal(r.isPasswordReset, false);
  assert.equal(r.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
  assert.equal(r.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const wrong = await rejects(page, (i) => window.auth.confirmResetPassword(i),
    { username: 'demo', confirmationCode: '000000', newPassword: 'Reset-Passw0rd!2' });
  assert.equal(wrong.name, 'CodeMismatchException');
  const code = await env.code('demo', 'FORGOT_PASSWORD');
  await run(page, (i) => window.auth.confirmResetPassword(i), { username: 'demo', confirmationCode: code, newPassword: 'Reset-Passw0rd!2' });
  const old = await rejects(page, (i) => window.auth.signIn(i), DEMO);
  assert.equal(old.name, 'NotAuthorizedException');
  const ok = await signIn(page, { username: 'demo', password: 'Reset-Passw0rd!2' });
  assert.equal(ok.isSignedIn, true);
});

test('NEW_PASSWORD_REQUIRED: confirmSignIn with the new password and the required name', T, async () => {
  const { page } = await amplify();
  const r = await signIn(page, { username: 'forced', password: 'Temp-Passw0rd!' });
  assert.equal(r.isSignedIn, false);
  assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  assert.deepEqual(r.nextStep.missingAttributes, ['name']);
  const done = await confirmSignIn(page, { challengeResponse: 'Brand-New-Passw0rd!', options: { userAttributes: { name: 'Forced User' } } });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(claims((await session(page)).idToken).name, 'Forced User');
  await signOut(page);
  assert.equal((await signIn(page, { username: 'forced', password: 'Brand-New-Passw0rd!' })).isSignedIn, true);
});

test('TOTP: setUpTOTP, verifyTOTPSetup, preference, then sign-in with a TOTP code', T, async () => {
  const { page } = await amplify();
  await signIn(page, DEMO);
  const secret = await run(page, async () => (await window.auth.setUpTOTP()).sharedSecret);
  assert.match(secret, /^[A-Z2-7]{32,}$/);
  const uri = await run(page, async (s) => {
    const d = await window.auth.setUpTOTP();
    return d.getSetupUri('PeerTest').toString();
  }, secret);
  // Amplify 6.22.1 passes JSON.stringify(username) as the account name (setUpTOTP.mjs), so
  // the label carries the quotes: Amplify's own behaviour, whatever the service sends.
  assert.match(uri, /^otpauth:\/\/totp\/PeerTest:%22demo%22\?secret=[A-Z2-7]+&issuer=PeerTest$/);
  // The second setUpTOTP replaced the secret: verify the newest one.
  const secret2 = new URL(uri).searchParams.get('secret');
  await run(page, (code) => window.auth.verifyTOTPSetup({ code }), totp(secret2));
  await run(page, () => window.auth.updateMFAPreference({ totp: 'PREFERRED' }));
  const pref = await run(page, () => window.auth.fetchMFAPreference());
  assert.deepEqual(pref, { enabled: ['TOTP'], preferred: 'TOTP' });
  await signOut(page);
  const r = await signIn(page, DEMO);
  assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  const wrong = await rejects(page, (i) => window.auth.confirmSignIn(i), { challengeResponse: '000000' });
  assert.equal(wrong.name, 'CodeMismatchException');
  const done = await confirmSignIn(page, { challengeResponse: totp(secret2) });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
});

test('MFA-required pool: TOTP setup during sign-in, and an EMAIL_OTP MFA user', T, async () => {
  const { page } = await amplify({ userPoolId: MFA_POOL_ID, userPoolClientId: MFA_CLIENT_ID, userPoolEndpoint: env.mfaEndpoint });
  const r = await signIn(page, { username: 'newmfa', password: 'Newmfa-Passw0rd!' });
  assert.equal(r.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
  const secret = r.nextStep.totpSetupDetails.sharedSecret;
  assert.equal(secret, 'MNXWO3TJORXS253BONWS2ZDSN5YC22LO');
  const done = await confirmSignIn(page, { challengeResponse: totp(secret) });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signOut(page);
  const e = await signIn(page, { username: 'emailmfa', password: 'Email-Passw0rd!' });
  assert.equal(e.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(e.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const code = await env.code('emailmfa', 'EMAIL_OTP', env.mfaEmulatorUrl);
  const ok = await confirmSignIn(page, { challengeResponse: code });
  assert.deepEqual(ok, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
});

test('SMS MFA; SELECT_MFA_TYPE between SMS and email, answered with EMAIL', T, async () => {
  const { page } = await amplify();
  const r = await signIn(page, { username: 'smsuser', password: 'Sms-Passw0rd!' });
  assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
  assert.equal(r.nextStep.codeDeliveryDetails.deliveryMedium, 'SMS');
  const done = await confirmSignIn(page, { challengeResponse: await env.code('smsuser', 'SMS_MFA') });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signOut(page);
  const t = await signIn(page, { username: 'twofactor', password: 'Two-Passw0rd!' });
  assert.equal(t.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
  assert.deepEqual(t.nextStep.allowedMFATypes, ['SMS', 'EMAIL']);
  const e = await confirmSignIn(page, { challengeResponse: 'EMAIL' });
  assert.equal(e.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const ok = await confirmSignIn(page, { challengeResponse: await env.code('twofactor', 'EMAIL_OTP') });
  assert.deepEqual(ok, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
});

test('remembered device: after rememberDevice, the next sign-in skips MFA via DEVICE_SRP_AUTH', T, async () => {
  const { page } = await amplify({ userPoolClientId: DEVICES_CLIENT_ID });
  const user = { username: 'totpuser', password: 'Totp-Passw0rd!' };
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const r = await signIn(page, user);
  assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  await confirmSignIn(page, { challengeResponse: totp(secret) });
  assert.equal((await stats()).ConfirmDevice, 1);
  await run(page, () => window.auth.rememberDevice());
  const devices = await run(page, async () => (await window.auth.fetchDevices()).map((d) => d.id));
  assert.equal(devices.length, 1);
  await signOut(page);
  const before = (await stats()).RespondToAuthChallenge;
  assert.equal(before, 2); // PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA
  const again = await signIn(page, user);
  assert.deepEqual(again, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  // PASSWORD_VERIFIER, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER instead of a TOTP code.
  assert.equal((await stats()).RespondToAuthChallenge, before + 3);
  await run(page, () => window.auth.forgetDevice());
  assert.deepEqual(await run(page, async () => (await window.auth.fetchDevices()).length), 0);
});

test('USER_AUTH: the factor choice, then EMAIL_OTP; and EMAIL_OTP as preferred challenge', T, async () => {
  const { page } = await amplify();
  const r = await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH' } });
  assert.equal(r.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual(r.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
  const e = await confirmSignIn(page, { challengeResponse: 'EMAIL_OTP' });
  assert.equal(e.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(e.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const done = await confirmSignIn(page, { challengeResponse: await env.code('passkey', 'EMAIL_OTP') });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signOut(page);
  const p = await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  assert.equal(p.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const wrong = await rejects(page, (i) => window.auth.confirmSignIn(i), { challengeResponse: '00000000' });
  assert.equal(wrong.name, 'CodeMismatchException');
  const ok = await confirmSignIn(page, { challengeResponse: await env.code('passkey', 'EMAIL_OTP') });
  assert.equal(ok.isSignedIn, true);
  // The password factor through the same choice.
  await signOut(page);
  await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH' } });
  const pw = await confirmSignIn(page, { challengeResponse: 'PASSWORD_SRP' });
  assert.equal(pw.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
  const pwDone = await confirmSignIn(page, { challengeResponse: 'Passkey-Passw0rd!' });
  assert.equal(pwDone.isSignedIn, true);
  // SMS_OTP as the first factor, to the verified phone number.
  await signOut(page);
  const sms = await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
  assert.equal(sms.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
  assert.equal(sms.nextStep.codeDeliveryDetails.deliveryMedium, 'SMS');
  const smsDone = await confirmSignIn(page, { challengeResponse: await env.code('passkey', 'SMS_OTP') });
  assert.equal(smsDone.isSignedIn, true);
});

test('passkeys (virtual authenticator): associate, list, sign in with WEB_AUTHN (preferred and chosen), delete', T, async () => {
  const { page, cdp, authenticatorId } = await amplify({}, { authenticator: true });
  await signIn(page, { username: 'passkey', password: 'Passkey-Passw0rd!' });
  await run(page, () => window.auth.associateWebAuthnCredential());
  const list = await run(page, () => window.auth.listWebAuthnCredentials());
  assert.equal(list.credentials.length, 1);
  const cred = list.credentials[0];
  assert.equal(cred.relyingPartyId, 'localhost');
  // The emulator writes dates as Cognito does (`1.7E9`), and Amplify reads them.
  assert.ok(cred.createdAt instanceof Date && Math.abs(cred.createdAt.getTime() - Date.now()) < 10 * 60_000, String(cred.createdAt));
  assert.match(cred.credentialId, /^[A-Za-z0-9_-]+$/);
  const stored = await env.get('passkeys?username=passkey');
  assert.equal(stored.length, 1);
  assert.equal(stored[0].credentialId, cred.credentialId);
  const { credentials: vc } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(vc.length, 1);
  await signOut(page);
  const r = await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
  assert.deepEqual(r, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(claims((await session(page)).idToken)['cognito:username'], 'passkey');
  assert.equal((await env.get('passkeys?username=passkey'))[0].signCount > 0, true);
  // With a passkey registered, the factor choice offers WEB_AUTHN too.
  await signOut(page);
  const c = await signIn(page, { username: 'passkey', options: { authFlowType: 'USER_AUTH' } });
  assert.deepEqual(c.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN', 'EMAIL_OTP', 'SMS_OTP']);
  assert.deepEqual(await confirmSignIn(page, { challengeResponse: 'WEB_AUTHN' }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await run(page, (credentialId) => window.auth.deleteWebAuthnCredential({ credentialId }), cred.credentialId);
  assert.deepEqual((await run(page, () => window.auth.listWebAuthnCredentials())).credentials, []);
  assert.deepEqual(await env.get('passkeys?username=passkey'), []);
});

test('attributes: fetch, update, verify a new email, delete one; then deleteUser', T, async () => {
  const { page } = await amplify();
  await signIn(page, DEMO);
  const a = await run(page, () => window.auth.fetchUserAttributes());
  assert.equal(a.email, 'demo@example.com');
  assert.equal(a.email_verified, 'true');
  const u = await run(page, (i) => window.auth.updateUserAttributes(i),
    { userAttributes: { name: 'Demo Person', email: 'new-demo@example.com' } });
  assert.deepEqual(u.name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  assert.equal(u.email.isUpdated, false);
  assert.equal(u.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  const code = await env.code('demo', 'VERIFY_email');
  await run(page, (c) => window.auth.confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: c }), code);
  const b = await run(page, () => window.auth.fetchUserAttributes());
  assert.equal(b.email, 'new-demo@example.com');
  assert.equal(b.email_verified, 'true');
  assert.equal(b.name, 'Demo Person');
  await run(page, () => window.auth.deleteUserAttributes({ userAttributeKeys: ['name'] }));
  assert.equal((await run(page, () => window.auth.fetchUserAttributes())).name, undefined);
  // updatePassword is ChangePassword with the access token; a wrong old password fails.
  const bad = await rejects(page, () => window.auth.updatePassword({ oldPassword: 'Nope-Passw0rd!1', newPassword: 'Changed-Passw0rd!1' }));
  assert.equal(bad.name, 'NotAuthorizedException');
  await run(page, () => window.auth.updatePassword({ oldPassword: 'Demo-Passw0rd!', newPassword: 'Changed-Passw0rd!1' }));
  await signOut(page);
  assert.equal((await signIn(page, { username: 'new-demo@example.com', password: 'Changed-Passw0rd!1' })).isSignedIn, true);
  await run(page, () => window.auth.deleteUser());
  assert.equal((await stats()).DeleteUser, 1);
  const gone = await rejects(page, (i) => window.auth.signIn(i), { username: 'demo', password: 'Changed-Passw0rd!1' });
  assert.equal(gone.name, 'NotAuthorizedException');
});

test('custom auth: CUSTOM_WITH_SRP and CUSTOM_WITHOUT_SRP, a wrong answer, then the right one', T, async () => {
  const { page } = await amplify();
  const r = await signIn(page, { ...DEMO, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
  assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  assert.equal(r.nextStep.additionalInfo.question, 'What is 6 times 7?');
  const again = await confirmSignIn(page, { challengeResponse: '41' });
  assert.equal(again.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  const done = await confirmSignIn(page, { challengeResponse: '42' });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signOut(page);
  const w = await signIn(page, { username: 'demo', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
  assert.equal(w.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  assert.equal((await confirmSignIn(page, { challengeResponse: '42' })).isSignedIn, true);
});

test('identity pool: guest credentials, then sign-in keeps the same identity id', T, async () => {
  const { page } = await amplify({ identityPoolId: IDENTITY_POOL_ID, identityPoolEndpoint: env.endpoint, allowGuestAccess: true });
  const guest = await session(page);
  assert.match(guest.identityId, /^us-east-1:[0-9a-f-]{36}$/);
  assert.ok(guest.accessKeyId);
  await signIn(page, DEMO);
  const signedIn = await session(page);
  assert.ok(signedIn.accessKeyId);
  assert.equal(signedIn.identityId, guest.identityId);
  // Amplify's Logins key is iss without its scheme: Cognito's own host name.
  assert.equal(claims(signedIn.idToken).iss, `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`);
});

// A pool with Cognito's updated issuer (`--issuer aws-updated`): Amplify sends that `iss`
// without its scheme as the Logins key, which is what the emulator's identity pool expects
// (and what cognito-wasm sends: tests/e2e/issuer.test.mjs).
test('identity pool, updated issuer: Amplify gets credentials with the issuer as Logins key', T, async () => {
  const e = env.updatedEndpoint;
  const { page } = await amplify({ userPoolEndpoint: e, identityPoolId: IDENTITY_POOL_ID, identityPoolEndpoint: e });
  await signIn(page, DEMO);
  const s = await session(page);
  assert.equal(claims(s.idToken).iss, `https://issuer-cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`);
  assert.match(s.identityId, /^us-east-1:[0-9a-f-]{36}$/);
  assert.ok(s.accessKeyId, 'credentials for the signed-in identity');
});
