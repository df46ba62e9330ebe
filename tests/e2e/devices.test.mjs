// End-to-end: remembered devices through www-demo (client 3devicesclient00emulator01, device
// tracking OPT_IN): TOTP sign-in → ConfirmDevice → remember → next sign-in skips MFA by
// device SRP; forget; a device Cognito no longer knows is dropped and the sign-in retried;
// listDevices() reads every page (more than Cognito's 60 per request), getDevice().
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setup, signIn, alertCode, POOL_ID, KEY_PREFIX, USERS } from './harness.mjs';

const T = { timeout: 120_000 };
const DEVICE_CLIENT = '3devicesclient00emulator01';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const deviceKey = (user, field) => `${KEY_PREFIX}${DEVICE_CLIENT}.${user}.${field}`;

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

// RFC 6238 (SHA-1, 30 s, 6 digits); the helper is checked against the RFC in account.test.mjs.
function totp(secret, ms = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const bytes = [];
  for (const c of secret) { value = (value << 5) | alphabet.indexOf(c); bits += 5; if (bits >= 8) { bits -= 8; bytes.push((value >>> bits) & 0xff); } }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const h = crypto.createHmac('sha1', Buffer.from(bytes)).update(msg).digest();
  const off = h[19] & 0xf;
  return String((((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3]) % 1e6).padStart(6, '0');
}

async function openDeviceDemo() {
  const q = new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: DEVICE_CLIENT });
  await page.goto(`${env.webUrl}/?${q}`);
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="signed-out"]');
}
const state = () => page.getAttribute('body', 'data-state');
async function answerTotp() {
  await page.waitForSelector('body[data-state="challenge"]');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'SOFTWARE_TOKEN_MFA');
  await page.getByTestId('field-code').fill(totp(TOTP_SECRET));
  await page.getByTestId('panel-submit').click();
  await page.waitForSelector('body[data-state="signed-in"]');
}
async function storedDevice() {
  return page.evaluate((keys) => keys.map((k) => localStorage.getItem(k)),
    ['deviceKey', 'deviceGroupKey', 'randomPasswordKey'].map((f) => deviceKey('totpuser', f)));
}
async function signOut() {
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
}

test('TOTP sign-in confirms the device; remembered, the next sign-in skips MFA via device SRP', T, async () => {
  await openDeviceDemo();
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  await answerTotp();
  const status = await page.getByTestId('status').textContent();
  const [key, group, password] = await storedDevice();
  assert.match(key, /^us-east-1_[0-9a-f-]{36}$/);
  assert.match(group, /^-[A-Za-z0-9_-]{8}$/);
  assert.equal(Buffer.from(password, 'base64').length, 40, 'device password = base64 of 40 random bytes');
  assert.equal(status, `New device ${key}: use "Remember this device" to skip MFA next time.`);

  // Confirmed but not remembered (OPT_IN): MFA still applies.
  await signOut();
  assert.deepEqual(await storedDevice(), [key, group, password], 'device keys outlive sign-out');
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  await answerTotp();
  assert.equal(await page.getByTestId('status').textContent(), 'Signed in as totpuser.', 'no second device');

  await page.getByTestId('remember-device').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').textContent === 'Device remembered.');
  await page.getByTestId('list-devices').click();
  await page.waitForFunction(() => /device\(s\)/.test(document.querySelector('[data-testid="status"]').textContent));
  const devices = JSON.parse(await page.getByTestId('profile').textContent());
  assert.equal(devices.length, 1);
  assert.equal(devices[0].deviceKey, key);
  assert.equal(devices[0].remembered, true);
  assert.equal(devices[0].name, await page.evaluate(() => navigator.userAgent));
  await signOut();

  // Remembered: the password and the device's SRP proof are enough.
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  assert.equal(await state(), 'signed-in', 'no MFA challenge on a remembered device');
  assert.equal(await page.getByTestId('claim-cognito:username').textContent(), 'totpuser');

  // Forget it: MFA again, and the local keys are gone.
  await page.getByTestId('forget-device').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').textContent === 'Device forgotten.');
  assert.deepEqual(await storedDevice(), [null, null, null]);
  await signOut();
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  await answerTotp();
});

test('a device Cognito no longer knows is forgotten locally and the sign-in retried', T, async () => {
  await openDeviceDemo();
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  await answerTotp();
  const [key] = await storedDevice();
  await signOut();
  // Another browser (or an admin) forgot the device in Cognito; this one still has it.
  await env.control('reset');
  await signIn(page, 'totpuser', 'Totp-Passw0rd!');
  await answerTotp();
  const [fresh] = await storedDevice();
  assert.ok(fresh && fresh !== key, 'a new device replaced the unknown one');
  // With the (new) device offered, a wrong password is still just a wrong password.
  await signOut();
  await signIn(page, 'totpuser', 'wrong');
  assert.equal((await alertCode(page)).code, 'NotAuthorizedException');
});

test('listDevices returns every device across ListDevices pages; getDevice reads one', T, async () => {
  // 65 devices from "other browsers" (USER_PASSWORD_AUTH + ConfirmDevice straight at the emulator).
  const api = async (op, body) => {
    const r = await fetch(env.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${op}` },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, `${op}: ${await r.clone().text()}`);
    return r.json();
  };
  const made = [];
  for (let i = 0; i < 65; i++) {
    const r = await api('InitiateAuth', { ClientId: DEVICE_CLIENT, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'demo', PASSWORD: USERS.demo.password } });
    const key = r.AuthenticationResult.NewDeviceMetadata.DeviceKey;
    await api('ConfirmDevice', { AccessToken: r.AuthenticationResult.AccessToken, DeviceKey: key, DeviceName: `browser ${i}`, DeviceSecretVerifierConfig: { PasswordVerifier: 'AQ==', Salt: 'Ag==' } });
    made.push(key);
  }
  await page.goto(`${env.webUrl}/blank.html`);
  const pages = [];
  page.on('request', (req) => {
    if (req.headers()['x-amz-target']?.endsWith('.ListDevices')) pages.push(JSON.parse(req.postData()));
  });
  const r = await page.evaluate(async ({ endpoint, poolId, clientId, password, other }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default('/pkg/cognito_wasm_bg.wasm');
    const a = new m.CognitoAuth({ userPoolId: poolId, clientId, endpoint });
    const signedIn = await a.signIn({ username: 'demo', password });
    const list = await a.listDevices();
    const mine = await a.getDevice();
    const another = await a.getDevice({ deviceKey: other });
    const unknown = await a.getDevice({ deviceKey: 'us-east-1_00000000-0000-4000-8000-000000000000' }).then(() => 'resolved', (e) => e.code);
    return { list, mine, another, unknown, newDevice: signedIn.newDevice?.deviceKey };
  }, { endpoint: env.endpoint, poolId: POOL_ID, clientId: DEVICE_CLIENT, password: USERS.demo.password, other: made[64] });
  // This browser's own device (confirmed at sign-in) comes last.
  const keys = r.list.map((d) => d.deviceKey);
  assert.equal(keys.length, 66);
  assert.equal(new Set(keys).size, 66, 'every device exactly once');
  assert.deepEqual(keys.slice(0, 65), made);
  assert.equal(keys[65], r.newDevice);
  assert.equal(r.list[10].name, 'browser 10');
  assert.equal(pages.length, 2, 'two ListDevices requests');
  assert.equal(pages[0].Limit, 60);
  assert.equal(pages[0].PaginationToken, undefined);
  assert.equal(typeof pages[1].PaginationToken, 'string');
  // The emulator writes dates as Cognito does (`1.7E9` seconds): read as ms since the epoch.
  for (const f of ['createdAt', 'lastModifiedAt', 'lastAuthenticatedAt']) {
    assert.ok(Math.abs(r.list[65][f] - Date.now()) < 10 * 60_000, `${f} ${r.list[65][f]} is ms since the epoch, recent`);
  }
  assert.deepEqual(r.mine, r.list[65]);
  assert.deepEqual(r.another, r.list[64]);
  assert.equal(r.another.name, 'browser 64');
  assert.equal(r.unknown, 'ResourceNotFoundException');
});
