// amazon-cognito-identity-js 6.3.21, bundled with esbuild, in headless Chromium against the
// emulator: every journey CIJ offers that the emulator serves. Each test must pass; a
// failure means the emulator (or our reading of Cognito) is wrong, not CIJ.
//
// Journeys CIJ lacks (amplify.test.mjs covers them):
//   - GetTokensFromRefreshToken: CIJ refreshes only with InitiateAuth REFRESH_TOKEN_AUTH, so
//     it cannot refresh at all on an app client with refresh-token rotation.
//   - autoSignIn: CIJ has none; its sign-up journey signs in with the password afterwards.
//     No USER_AUTH, so no sign-in with the ConfirmSignUp Session either.
//   - USER_AUTH (factor choice, EMAIL_OTP / SMS_OTP first factors) and passkeys (WebAuthn).
//   - EMAIL_OTP as an MFA method (its callbacks know SMS_MFA and SOFTWARE_TOKEN_MFA only).
//   - Identity pools: CIJ is a user-pool client only.
//   - The hosted UI (OAuth 2.0 endpoints).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, run, rejects, claims, totp, POOL_ID, CLIENT_ID, DEVICES_CLIENT_ID, MFA_POOL_ID, MFA_CLIENT_ID, ROTATING_CLIENT_ID } from './harness.mjs';

const T = { timeout: 120_000 };
let env;

before(async () => { env = await setup({ mfaPool: true }); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => { await env.closePages(); });

/**
 * Page helpers: window.pool (a CognitoUserPool), window.user (the CognitoUser of the last
 * sign-in), and window.step(fn), which runs fn(callbacks) and resolves with the name of the
 * callback CIJ called and its arguments ({ event, args }), or rejects on onFailure.
 */
function init(c) {
  const { CIJ } = window;
  window.pool = new CIJ.CognitoUserPool({ UserPoolId: c.userPoolId, ClientId: c.clientId, endpoint: c.endpoint });
  window.step = (fn) => new Promise((resolve, reject) => {
    const to = (event) => (...args) => resolve({ event, args: JSON.parse(JSON.stringify(args ?? [])) });
    fn({
      onSuccess: (result, extra) => {
        const s = result && typeof result.getIdToken === 'function'
          ? { idToken: result.getIdToken().getJwtToken(), accessToken: result.getAccessToken().getJwtToken(), refreshToken: result.getRefreshToken().getToken() }
          : result;
        resolve({ event: 'onSuccess', args: [s ?? null, extra ?? null] });
      },
      onFailure: (e) => reject(e),
      mfaRequired: to('mfaRequired'),
      totpRequired: to('totpRequired'),
      selectMFAType: to('selectMFAType'),
      mfaSetup: to('mfaSetup'),
      newPasswordRequired: to('newPasswordRequired'),
      customChallenge: to('customChallenge'),
      associateSecretCode: to('associateSecretCode'),
      inputVerificationCode: to('inputVerificationCode'),
    });
  });
  window.cb = (resolve, reject) => (err, result) => (err ? reject(err) : resolve(result));
  window.signIn = (username, password, flow) => {
    window.user = new CIJ.CognitoUser({ Username: username, Pool: window.pool });
    if (flow) window.user.setAuthenticationFlowType(flow);
    const details = new CIJ.AuthenticationDetails({ Username: username, Password: password });
    return window.step((cb) => (flow === 'CUSTOM_AUTH' && !password
      ? window.user.initiateAuth(details, cb)
      : window.user.authenticateUser(details, cb)));
  };
  /** Node-style-callback method of window.user as a promise. */
  window.call = (method, ...args) => new Promise((resolve, reject) => {
    window.user[method](...args, (err, result) => (err ? reject(err) : resolve(result ?? null)));
  });
}

async function cij({ userPoolId = POOL_ID, clientId = CLIENT_ID, endpoint = env.endpoint } = {}) {
  const o = await env.open();
  await run(o.page, init, { userPoolId, clientId, endpoint });
  return o;
}

const signIn = (page, username, password, flow) => run(page, ([u, p, f]) => window.signIn(u, p, f), [username, password, flow]);
const stats = () => env.get('stats');

async function api(op, body) {
  const r = await fetch(env.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  return r.json();
}

test('SRP sign-in: a session for the user; a wrong password is NotAuthorizedException', T, async () => {
  const { page } = await cij();
  const bad = await rejects(page, () => window.signIn('demo', 'Wrong-Passw0rd!'));
  assert.equal(bad.code, 'NotAuthorizedException');
  assert.equal(bad.message, 'Incorrect username or password.');
  const r = await signIn(page, 'alice@example.com', 'Alice-Passw0rd!');
  assert.equal(r.event, 'onSuccess');
  const [s] = r.args;
  assert.equal(claims(s.idToken)['cognito:username'], 'alice');
  assert.equal(claims(s.accessToken).client_id, CLIENT_ID);
  // CIJ keeps the session under the pool's username (USER_ID_FOR_SRP), not the email typed.
  const current = await run(page, () => window.pool.getCurrentUser()?.getUsername());
  assert.equal(current, 'alice');
  assert.equal((await stats())['InitiateAuth:USER_SRP_AUTH'], 2);
  const p = await rejects(page, () => window.signIn('pending', 'Pending-Passw0rd!'));
  assert.equal(p.code, 'UserNotConfirmedException');
});

test('refresh: refreshSession uses InitiateAuth REFRESH_TOKEN_AUTH', T, async () => {
  const { page } = await cij();
  const [s] = (await signIn(page, 'demo', 'Demo-Passw0rd!')).args;
  await new Promise((r) => setTimeout(r, 1100));
  const fresh = await run(page, (rt) => new Promise((resolve, reject) => {
    window.user.refreshSession(new window.CIJ.CognitoRefreshToken({ RefreshToken: rt }), (err, session) => (err
      ? reject(err)
      : resolve({ accessToken: session.getAccessToken().getJwtToken(), idToken: session.getIdToken().getJwtToken() })));
  }), s.refreshToken);
  assert.equal((await stats())['InitiateAuth:REFRESH_TOKEN_AUTH'], 1);
  assert.ok(claims(fresh.accessToken).iat > claims(s.accessToken).iat);
  assert.equal(claims(fresh.idToken).sub, claims(s.idToken).sub);
  assert.equal((await api('GetUser', { AccessToken: fresh.accessToken })).Username, 'demo');
});

// CIJ retries a failed refresh with jittered backoff for about 5 s before it reports it.
test('refresh on a client with refresh-token rotation: REFRESH_TOKEN_AUTH is refused', T, async () => {
  const { page } = await cij({ clientId: ROTATING_CLIENT_ID });
  const [s] = (await signIn(page, 'demo', 'Demo-Passw0rd!')).args;
  const e = await rejects(page, (rt) => new Promise((resolve, reject) => {
    window.user.refreshSession(new window.CIJ.CognitoRefreshToken({ RefreshToken: rt }), (err, session) => (err ? reject(err) : resolve(session)));
  }), s.refreshToken);
  assert.equal(e.code, 'InvalidParameterException');
});

test('global sign-out: the refresh and access tokens stop working', T, async () => {
  const { page } = await cij();
  const [s] = (await signIn(page, 'demo', 'Demo-Passw0rd!')).args;
  await run(page, () => window.step((cb) => window.user.globalSignOut(cb)));
  assert.equal((await stats()).GlobalSignOut, 1);
  assert.equal((await api('GetUser', { AccessToken: s.accessToken })).__type, 'NotAuthorizedException');
  const r = await api('InitiateAuth', { ClientId: CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.refreshToken } });
  assert.equal(r.__type, 'NotAuthorizedException');
  assert.equal(await run(page, () => window.pool.getCurrentUser()), null);
});

test('sign-up, confirm, then sign-in with the password (CIJ has no autoSignIn)', T, async () => {
  const { page } = await cij();
  const up = await run(page, () => new Promise((resolve, reject) => {
    const attrs = [new window.CIJ.CognitoUserAttribute({ Name: 'email', Value: 'newbie@example.com' })];
    window.pool.signUp('newbie', 'Fresh-Passw0rd!1', attrs, null, (err, r) => (err
      ? reject(err)
      : resolve({ confirmed: r.userConfirmed, sub: r.userSub, delivery: r.codeDeliveryDetails })));
  }));
  assert.equal(up.confirmed, false);
  assert.match(up.sub, /^[0-9a-f-]{36}$/);
  assert.equal(up.delivery.DeliveryMedium, 'EMAIL');
  const dup = await rejects(page, () => new Promise((resolve, reject) => {
    window.pool.signUp('newbie', 'Fresh-Passw0rd!1', [], null, (err, r) => (err ? reject(err) : resolve(r)));
  }));
  assert.equal(dup.code, 'UsernameExistsException');
  const code = await env.code('newbie', 'SIGN_UP');
  const ok = await run(page, (c) => new Promise((resolve, reject) => {
    const u = new window.CIJ.CognitoUser({ Username: 'newbie', Pool: window.pool });
    u.confirmRegistration(c, true, (err, r) => (err ? reject(err) : resolve(r)));
  }), code);
  assert.equal(ok, 'SUCCESS');
  const r = await signIn(page, 'newbie', 'Fresh-Passw0rd!1');
  assert.equal(r.event, 'onSuccess');
  assert.equal(claims(r.args[0].idToken).sub, up.sub);
  assert.equal(claims(r.args[0].idToken).email_verified, true);
});

test('reset password: forgotPassword, confirmPassword, new password works, old does not', T, async () => {
  const { page } = await cij();
  const start = await run(page, () => {
    window.user = new window.CIJ.CognitoUser({ Username: 'demo', Pool: window.pool });
    return window.step((cb) => window.user.forgotPassword(cb));
  });
  assert.equal(start.event, 'inputVerificationCode');
  assert.equal(start.args[0].CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
  const wrong = await rejects(page, () => window.step((cb) => window.user.confirmPassword('000000', 'Reset-Passw0rd!2', cb)));
  assert.equal(wrong.code, 'CodeMismatchException');
  const code = await env.code('demo', 'FORGOT_PASSWORD');
  const done = await run(page, (c) => window.step((cb) => window.user.confirmPassword(c, 'Reset-Passw0rd!2', cb)), code);
  assert.equal(done.event, 'onSuccess');
  assert.equal((await rejects(page, () => window.signIn('demo', 'Demo-Passw0rd!'))).code, 'NotAuthorizedException');
  assert.equal((await signIn(page, 'demo', 'Reset-Passw0rd!2')).event, 'onSuccess');
});

test('NEW_PASSWORD_REQUIRED: completeNewPasswordChallenge with the required name', T, async () => {
  const { page } = await cij();
  const r = await signIn(page, 'forced', 'Temp-Passw0rd!');
  assert.equal(r.event, 'newPasswordRequired');
  const [userAttributes, required] = r.args;
  assert.deepEqual(required, ['name']);
  assert.equal(userAttributes.email, 'forced@example.com');
  const done = await run(page, () => window.step((cb) => window.user.completeNewPasswordChallenge('Brand-New-Passw0rd!', { name: 'Forced User' }, cb)));
  assert.equal(done.event, 'onSuccess');
  assert.equal(claims(done.args[0].idToken).name, 'Forced User');
  assert.equal((await signIn(page, 'forced', 'Brand-New-Passw0rd!')).event, 'onSuccess');
});

test('TOTP: associate, verify, set the preference, then totpRequired → sendMFACode', T, async () => {
  const { page } = await cij();
  await signIn(page, 'demo', 'Demo-Passw0rd!');
  const a = await run(page, () => window.step((cb) => window.user.associateSoftwareToken(cb)));
  assert.equal(a.event, 'associateSecretCode');
  const secret = a.args[0];
  assert.match(secret, /^[A-Z2-7]{32,}$/);
  const bad = await rejects(page, () => window.step((cb) => window.user.verifySoftwareToken('000000', 'phone', cb)));
  assert.equal(bad.code, 'EnableSoftwareTokenMFAException');
  const v = await run(page, (code) => window.step((cb) => window.user.verifySoftwareToken(code, 'phone', cb)), totp(secret));
  assert.equal(v.args[0].Status, 'SUCCESS');
  await run(page, () => window.call('setUserMfaPreference', null, { PreferredMfa: true, Enabled: true }));
  const r = await signIn(page, 'demo', 'Demo-Passw0rd!');
  assert.equal(r.event, 'totpRequired');
  assert.equal(r.args[0], 'SOFTWARE_TOKEN_MFA');
  const wrong = await rejects(page, () => window.step((cb) => window.user.sendMFACode('000000', cb, 'SOFTWARE_TOKEN_MFA')));
  assert.equal(wrong.code, 'CodeMismatchException');
  const done = await run(page, (code) => window.step((cb) => window.user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA')), totp(secret));
  assert.equal(done.event, 'onSuccess');
  assert.equal(claims(done.args[0].idToken)['cognito:username'], 'demo');
});

test('MFA-required pool: mfaSetup during sign-in, TOTP set up on the session; then selectMFAType', T, async () => {
  const { page } = await cij({ userPoolId: MFA_POOL_ID, clientId: MFA_CLIENT_ID, endpoint: env.mfaEndpoint });
  const r = await signIn(page, 'newmfa', 'Newmfa-Passw0rd!');
  assert.equal(r.event, 'mfaSetup');
  assert.equal(r.args[0], 'MFA_SETUP');
  const a = await run(page, () => window.step((cb) => window.user.associateSoftwareToken(cb)));
  assert.equal(a.args[0], 'MNXWO3TJORXS253BONWS2ZDSN5YC22LO');
  const v = await run(page, (code) => window.step((cb) => window.user.verifySoftwareToken(code, 'phone', cb)), totp(a.args[0]));
  assert.equal(v.event, 'onSuccess');
  assert.equal(claims(v.args[0].idToken)['cognito:username'], 'newmfa');
  // SMS and TOTP, no preference: CIJ's selectMFAType, then the TOTP code.
  const c = await signIn(page, 'choosy', 'Choosy-Passw0rd!');
  assert.equal(c.event, 'selectMFAType');
  assert.deepEqual(JSON.parse(c.args[1].MFAS_CAN_CHOOSE), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  const t = await run(page, () => window.step((cb) => window.user.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', cb)));
  assert.equal(t.event, 'totpRequired');
  const done = await run(page, (code) => window.step((cb) => window.user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA')), totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));
  assert.equal(done.event, 'onSuccess');
});

test('SMS MFA: mfaRequired with the masked destination, then the code from the outbox', T, async () => {
  const { page } = await cij();
  const r = await signIn(page, 'smsuser', 'Sms-Passw0rd!');
  assert.equal(r.event, 'mfaRequired');
  assert.equal(r.args[0], 'SMS_MFA');
  assert.equal(r.args[1].CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  const code = await env.code('smsuser', 'SMS_MFA');
  const done = await run(page, (c) => window.step((cb) => window.user.sendMFACode(c, cb)), code);
  assert.equal(done.event, 'onSuccess');
});

test('remembered device: ConfirmDevice, setDeviceStatusRemembered, next sign-in by DEVICE_SRP_AUTH', T, async () => {
  const { page } = await cij({ clientId: DEVICES_CLIENT_ID });
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const r = await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  assert.equal(r.event, 'totpRequired');
  const done = await run(page, (code) => window.step((cb) => window.user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA')), totp(secret));
  assert.equal(done.event, 'onSuccess');
  assert.equal(done.args[1], true, 'userConfirmationNecessary for an OPT_IN client');
  assert.equal((await stats()).ConfirmDevice, 1);
  await run(page, () => window.step((cb) => window.user.setDeviceStatusRemembered(cb)));
  const list = await run(page, () => window.step((cb) => window.user.listDevices(10, null, cb)));
  assert.equal(list.args[0].Devices.length, 1);
  const remembered = list.args[0].Devices[0].DeviceAttributes.find((a) => a.Name === 'device_status')?.Value;
  assert.equal(remembered, 'valid');
  const before = (await stats()).RespondToAuthChallenge;
  const again = await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  assert.equal(again.event, 'onSuccess', 'no MFA on the remembered device');
  // PASSWORD_VERIFIER, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER instead of a TOTP code.
  assert.equal((await stats()).RespondToAuthChallenge, before + 3);
  await run(page, () => window.step((cb) => window.user.forgetDevice(cb)));
  const after = await run(page, () => window.step((cb) => window.user.listDevices(10, null, cb)));
  assert.deepEqual(after.args[0].Devices, []);
});

test('attributes: get, update, verify a new email, delete one; then deleteUser', T, async () => {
  const { page } = await cij();
  await signIn(page, 'demo', 'Demo-Passw0rd!');
  const attrs = async () => Object.fromEntries((await run(page, () => window.call('getUserAttributes'))).map((a) => [a.Name, a.Value]));
  assert.equal((await attrs()).email, 'demo@example.com');
  await run(page, () => window.call('updateAttributes', [{ Name: 'name', Value: 'Demo Person' }, { Name: 'email', Value: 'new-demo@example.com' }]));
  const mid = await attrs();
  assert.equal(mid.name, 'Demo Person');
  assert.equal(mid.email_verified, 'false');
  const code = await env.code('demo', 'VERIFY_email');
  const wrong = await rejects(page, () => window.step((cb) => window.user.verifyAttribute('email', '000000', cb)));
  assert.equal(wrong.code, 'CodeMismatchException');
  await run(page, (c) => window.step((cb) => window.user.verifyAttribute('email', c, cb)), code);
  const after = await attrs();
  assert.equal(after.email, 'new-demo@example.com');
  assert.equal(after.email_verified, 'true');
  await run(page, () => window.call('deleteAttributes', ['name']));
  assert.equal((await attrs()).name, undefined);
  const bad = await rejects(page, () => window.call('changePassword', 'Nope-Passw0rd!1', 'Changed-Passw0rd!1'));
  assert.equal(bad.code, 'NotAuthorizedException');
  assert.equal(await run(page, () => window.call('changePassword', 'Demo-Passw0rd!', 'Changed-Passw0rd!1')), 'SUCCESS');
  assert.equal((await signIn(page, 'new-demo@example.com', 'Changed-Passw0rd!1')).event, 'onSuccess');
  assert.equal(await run(page, () => window.call('deleteUser')), 'SUCCESS');
  assert.equal((await rejects(page, () => window.signIn('demo', 'Changed-Passw0rd!1'))).code, 'NotAuthorizedException');
});

test('custom auth: CUSTOM_AUTH with the password first (SRP_A) and without; wrong answer, right answer', T, async () => {
  const { page } = await cij();
  const r = await signIn(page, 'demo', 'Demo-Passw0rd!', 'CUSTOM_AUTH');
  assert.equal(r.event, 'customChallenge');
  assert.equal(r.args[0].question, 'What is 6 times 7?');
  const again = await run(page, () => window.step((cb) => window.user.sendCustomChallengeAnswer('41', cb)));
  assert.equal(again.event, 'customChallenge');
  const done = await run(page, () => window.step((cb) => window.user.sendCustomChallengeAnswer('42', cb)));
  assert.equal(done.event, 'onSuccess');
  assert.equal((await stats())['InitiateAuth:CUSTOM_AUTH'], 1);
  const w = await signIn(page, 'demo', undefined, 'CUSTOM_AUTH');
  assert.equal(w.event, 'customChallenge');
  const ok = await run(page, () => window.step((cb) => window.user.sendCustomChallengeAnswer('42', cb)));
  assert.equal(ok.event, 'onSuccess');
  assert.equal(claims(ok.args[0].idToken)['cognito:username'], 'demo');
});
