// Independent peer: the package (pkg/, in Node) against moto_server, another implementation
// of the user-pool API, for the flows moto supports: USER_PASSWORD_AUTH,
// NEW_PASSWORD_REQUIRED, sign-up + confirm, forgot password, TOTP MFA, refresh, GlobalSignOut,
// and the error shapes. moto is the pinned one of tests/peers/moto/requirements.txt, in the
// same .venv as moto.test.mjs (installed on first run).
//
// moto's known gaps (seen with 5.2.5) — listed here rather than bent around in the library:
// - SRP is not verified (any PASSWORD_CLAIM_SIGNATURE passes): USER_SRP_AUTH proves nothing
//   here, so the tests use USER_PASSWORD_AUTH (SRP is checked against our emulator and the
//   CIJ/pycognito vectors instead).
// - ConfirmSignUp accepts any code; ForgotPassword's code is returned only in a moto-specific
//   HTTP header, and ConfirmForgotPassword accepts any code not starting with
//   "moto-confirmation-code:".
// - The TOTP secret is the constant "asdfasdfasdf" and codes are checked only with
//   MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true (set below), with no ±30 s window.
// - MFA_SETUP sends MFAS_CAN_SETUP as a JSON array, not the JSON-in-a-string Cognito sends,
//   so that challenge is not exercised here (the library rejects it as InvalidResponse).
// - ID tokens carry no user attributes (no `email` claim): attributes are read with GetUser.
// - A wrong ConfirmForgotPassword code is ExpiredCodeException, not CodeMismatchException.
// - No ResendConfirmationCode, RevokeToken or device operations; no CORS-relevant checks
//   (Node has no CORS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './harness.mjs';

const VENV = path.join(ROOT, 'tests', 'peers', 'moto', '.venv');
const REQS = path.join(ROOT, 'tests', 'peers', 'moto', 'requirements.txt');
// Same install and stamp as moto.test.mjs, so whichever runs first installs once.
function ensureMoto() {
  const want = crypto.createHash('sha256').update(fs.readFileSync(REQS)).digest('hex');
  const stamp = path.join(VENV, '.stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return;
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  };
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', '--clear', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', REQS]);
  fs.writeFileSync(stamp, want);
}
const { initSync, CognitoAuth } = await import(path.join(ROOT, 'pkg', 'cognito_wasm.js'));
initSync({ module: fs.readFileSync(path.join(ROOT, 'pkg', 'cognito_wasm_bg.wasm')) });

const T = { timeout: 60_000 };
let moto; let endpoint; let poolId; let clientId;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function call(op, body) {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${op}: HTTP ${r.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

before(async () => {
  ensureMoto();
  const port = await freePort();
  moto = spawn(path.join(VENV, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP: 'true', AWS_DEFAULT_REGION: 'us-east-1' },
  });
  endpoint = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try { await fetch(`http://127.0.0.1:${port}/moto-api/`); break; } catch (e) {
      if (i > 100) throw new Error('moto_server did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const pool = await call('CreateUserPool', { PoolName: 'peer', MfaConfiguration: 'OPTIONAL' });
  poolId = pool.UserPool.Id;
  const client = await call('CreateUserPoolClient', {
    UserPoolId: poolId, ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
  });
  clientId = client.UserPoolClient.ClientId;
}, { timeout: 900_000 });

after(() => { moto?.kill('SIGTERM'); });

const auth = (extra = {}) => new CognitoAuth({ userPoolId: poolId, clientId, endpoint, storage: 'memory', ...extra });
const signIn = (a, username, password) => a.signIn({ username, password, authFlow: 'USER_PASSWORD_AUTH' });
const code = (p) => p.then(() => 'resolved', (e) => e.code);

// RFC 6238 (SHA-1, 30 s, 6 digits), as in tests/e2e/account.test.mjs.
function totp(secret, ms = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const bytes = [];
  for (const c of secret.toUpperCase()) { value = (value << 5) | alphabet.indexOf(c); bits += 5; if (bits >= 8) { bits -= 8; bytes.push((value >>> bits) & 0xff); } }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const h = crypto.createHmac('sha1', Buffer.from(bytes)).update(msg).digest();
  const off = h[19] & 0xf;
  return String((((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3]) % 1e6).padStart(6, '0');
}

test('NEW_PASSWORD_REQUIRED for an admin-created user, then USER_PASSWORD_AUTH', T, async () => {
  await call('AdminCreateUser', { UserPoolId: poolId, Username: 'admincreated', TemporaryPassword: 'Temp-Passw0rd!',
    UserAttributes: [{ Name: 'email', Value: 'ac@example.com' }] });
  const a = auth();
  const r = await signIn(a, 'admincreated', 'Temp-Passw0rd!');
  assert.equal(r.type, 'challenge');
  assert.equal(r.name, 'NEW_PASSWORD_REQUIRED');
  const done = await a.respondToChallenge({ newPassword: 'Perm-Passw0rd!' });
  assert.equal(done.type, 'signedIn');
  assert.equal(done.session.username, 'admincreated');
  assert.equal((await a.getUser()).attributes.email, 'ac@example.com');
  const again = await signIn(auth(), 'admincreated', 'Perm-Passw0rd!');
  assert.equal(again.type, 'signedIn');
  assert.equal(await code(signIn(auth(), 'admincreated', 'Temp-Passw0rd!')), 'NotAuthorizedException');
  assert.equal(await code(signIn(auth(), 'nobody', 'x')), 'UserNotFoundException');
});

test('sign up → confirm → sign in; forgot password → confirm → sign in', T, async () => {
  const a = auth();
  const up = await a.signUp({ username: 'peer1', password: 'Peer-Passw0rd!', attributes: { email: 'peer1@example.com' } });
  assert.equal(up.userConfirmed, false);
  assert.match(up.userSub, /^[0-9a-f-]{36}$/);
  assert.equal(await code(a.signUp({ username: 'peer1', password: 'Peer-Passw0rd!' })), 'UsernameExistsException');
  assert.equal(await code(signIn(a, 'peer1', 'Peer-Passw0rd!')), 'UserNotConfirmedException');
  assert.deepEqual(await a.confirmSignUp({ username: 'peer1', code: '123456' }), { type: 'confirmed' });
  assert.equal((await signIn(a, 'peer1', 'Peer-Passw0rd!')).type, 'signedIn');

  const f = await a.forgotPassword({ username: 'peer1' });
  assert.ok(f.codeDelivery, 'code delivery details returned');
  // moto answers a wrong code with ExpiredCodeException (Cognito: CodeMismatchException).
  assert.equal(await code(a.confirmForgotPassword({ username: 'peer1', code: 'moto-confirmation-code:000000', newPassword: 'New-Peer-Passw0rd!' })),
    'ExpiredCodeException');
  await a.confirmForgotPassword({ username: 'peer1', code: '123456', newPassword: 'New-Peer-Passw0rd!' });
  assert.equal((await signIn(auth(), 'peer1', 'New-Peer-Passw0rd!')).type, 'signedIn');
});

test('TOTP: set up while signed in, then SOFTWARE_TOKEN_MFA at sign-in (wrong code first)', T, async () => {
  const a = auth();
  await a.signUp({ username: 'peer2', password: 'Peer-Passw0rd!', attributes: { email: 'peer2@example.com' } });
  await a.confirmSignUp({ username: 'peer2', code: '1' });
  await signIn(a, 'peer2', 'Peer-Passw0rd!');
  const t = await a.setUpTotp();
  assert.equal(t.totpUri, `otpauth://totp/AWSCognito:peer2?secret=${t.secretCode}&issuer=AWSCognito`);
  assert.equal(await code(a.verifyTotp({ code: totp(t.secretCode) === '000000' ? '111111' : '000000' })), 'CodeMismatchException');
  await a.verifyTotp({ code: totp(t.secretCode), deviceName: 'peer' });
  await a.setMfaPreference({ totp: 'preferred' });
  const user = await a.getUser();
  assert.equal(user.username, 'peer2');
  assert.equal(user.attributes.email, 'peer2@example.com');

  const b = auth();
  const ch = await signIn(b, 'peer2', 'Peer-Passw0rd!');
  assert.equal(ch.name, 'SOFTWARE_TOKEN_MFA');
  assert.equal(await code(b.respondToChallenge({ code: totp(t.secretCode) === '000000' ? '111111' : '000000' })), 'CodeMismatchException');
  const ok = await b.respondToChallenge({ code: totp(t.secretCode) });
  assert.equal(ok.type, 'signedIn');
});

test('refresh (REFRESH_TOKEN_AUTH) and GlobalSignOut', T, async () => {
  await call('AdminCreateUser', { UserPoolId: poolId, Username: 'peer3', TemporaryPassword: 'Temp-Passw0rd!', MessageAction: 'SUPPRESS' });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'peer3', Password: 'Peer-Passw0rd!', Permanent: true });
  // A leeway longer than the token lifetime: currentSession() refreshes at once.
  const a = auth({ refreshLeeway: 7200 });
  const s = (await signIn(a, 'peer3', 'Peer-Passw0rd!')).session;
  const refreshed = await a.currentSession();
  assert.ok(refreshed, 'still signed in after the refresh');
  assert.notEqual(refreshed.accessToken, s.accessToken, 'new access token');
  assert.equal(refreshed.refreshToken, s.refreshToken, 'refresh token kept');
  const out = await a.signOut({ global: true });
  assert.equal(out.revoked, true, JSON.stringify(out));
  const r = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetUser' },
    body: JSON.stringify({ AccessToken: refreshed.accessToken }) });
  assert.equal(r.status, 400, 'the access token no longer works');
});
