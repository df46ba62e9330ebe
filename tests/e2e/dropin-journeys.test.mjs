// End-to-end: the drop-in <cognito-login> element (www-demo/dropin.html) through the sign-in
// journeys that need more than a password, against the emulator, in headless Chromium:
// TOTP setup required by the pool (a second emulator with tests/fixtures/mfa-required-pool.json,
// MFA "ON"), TOTP / EMAIL_OTP / SMS codes, the MFA type choice, custom challenges (CUSTOM_AUTH
// with and without SRP), wrong answers (announced, focus kept, retry works), and hosted mode's
// full round trip (emulator login page → back on dropin.html signed in → sign-out with redirect).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { setup, ROOT, CLIENT_ID, POOL_ID, USERS, KEY_PREFIX, totp, hotp } from './harness.mjs';

const T = { timeout: 120_000 };
// The committed screenshots (README) are rewritten only with UPDATE_SCREENSHOTS=1; a normal run
// still takes them, into a scratch folder, so a test run leaves the work tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'cognito-wasm-screenshots');
const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const MFA_POOL = 'us-east-1_EmuMfaReq';
const MFA_CLIENT = '7f3kq2m9emulatormfaclient1';
/** tests/fixtures/mfa-required-pool.json: newmfa's setupSecret, base32 of "cognito-wasm-drop-in". */
const NEWMFA_SECRET = 'MNXWO3TJORXS253BONWS2ZDSN5YC22LO';
const TOTPUSER_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; // demo-pool.json
const CHOOSY_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // mfa-required-pool.json

let env;
let mfa; // the second emulator (MFA required)
let page;

before(async () => {
  env = await setup();
  mfa = await env.startEmulator('tests/fixtures/mfa-required-pool.json');
}, { timeout: 120_000 });
after(async () => { await env?.close(); });
beforeEach(async () => {
  await env.control('reset');
  const r = await fetch(`${mfa.url}/_emulator/reset`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 200);
  page = await env.newPage();
});
afterEach(async () => {
  const errors = page.errors.map((e) => e.stack ?? String(e));
  await page.context().close();
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

const MFA_PAGE = () => ({ endpoint: mfa.endpoint, userPoolId: MFA_POOL, clientId: MFA_CLIENT });
const url = (extra = {}) => `${env.webUrl}/dropin.html?${new URLSearchParams({
  endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local', ...extra })}`;
const login = () => page.locator('cognito-login');
const screen = (name) => page.waitForSelector(`cognito-login[screen="${name}"]`);
const challenge = (name) => page.waitForSelector(`cognito-login[screen="challenge"][challenge="${name}"]`);
const field = (name) => page.getByTestId(`field-${name}`);
const errorText = () => page.getByTestId('error').textContent();
const events = () => page.$$eval('#events li', (lis) => lis.map((li) => li.textContent));
const shot = (name, target = login()) => target.screenshot({ path: path.join(SHOTS, `${name}.png`) });

async function open(extra) {
  await page.goto(url(extra));
  await screen(extra?.mode === 'hosted' ? 'hosted' : 'signIn');
}
/** Name of the focused element inside the element's shadow root, and whether its text is selected. */
const focused = () => page.evaluate(() => {
  const inner = document.activeElement?.shadowRoot?.activeElement;
  if (!inner) return document.activeElement?.tagName.toLowerCase();
  const sel = inner.tagName === 'INPUT' && inner.value && inner.selectionStart === 0 && inner.selectionEnd === inner.value.length ? ' (selected)' : '';
  return `${inner.tagName.toLowerCase()}:${inner.name || inner.textContent}${sel}`;
});
async function lastCode(emulatorUrl, username, purpose) {
  const items = (await (await fetch(`${emulatorUrl}/_emulator/outbox`)).json())
    .filter((m) => m.username === username && m.purpose === purpose);
  assert.ok(items.length > 0, `a ${purpose} code was sent to ${username}`);
  return items.at(-1).code;
}
async function signInWith(username, password) {
  await field('username').fill(username);
  if (password !== undefined) await field('password').fill(password);
  await page.getByTestId('submit').click();
}
/** Types into the focused field and presses Enter (keyboard only), then waits for an error or `next`. */
async function typeAndEnter(text, next) {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  if (next) await screen(next);
  else await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '');
}
/** A 6-digit code that is none of the TOTP codes the emulator would accept right now (±30 s). */
function wrongTotp(secret) {
  const now = Date.now();
  const valid = new Set([-30_000, 0, 30_000].map((d) => totp(secret, now + d)));
  return ['000000', '111111', '222222', '333333'].find((c) => !valid.has(c));
}
/** The wrong answer is announced (aria-live), its field keeps the focus with the text selected. */
async function assertRetry(text, code, fieldName) {
  assert.equal(await errorText(), text);
  const live = await page.getByTestId('error').evaluate((e) => [e.getAttribute('aria-live'), e.dataset.code]);
  assert.deepEqual(live, ['assertive', code]);
  assert.equal(await focused(), `input:${fieldName} (selected)`);
}
async function axe(label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(', ')}`);
  assert.deepEqual(bad, [], `${label}: axe-core serious/critical violations`);
}
async function signOutViaElement(next = 'signIn') {
  await page.getByTestId('sign-out').click();
  await screen(next);
}
/** The SVG QR code on the TOTP setup screen, rasterised in the page and decoded by jsQR. */
async function decodeQr() {
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const { w, h, px } = await page.evaluate(async () => {
    const svg = document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=totp-qr] svg').outerHTML;
    const img = new Image();
    img.src = `data:image/svg+xml;base64,${btoa(svg)}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return { w: c.width, h: c.height, px: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
  });
  return jsQR(new Uint8ClampedArray(px), w, h)?.data;
}

test('harness TOTP helper: RFC 6238 Appendix B (SHA-1) and RFC 4226 Appendix D', () => {
  const key = Buffer.from('12345678901234567890');
  assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
  assert.equal(hotp(key, Math.floor(20000000000 / 30), 8), '65353130');
  assert.equal(hotp(key, 0), '755224');
  assert.equal(hotp(key, 9), '520489');
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000), '287082');
});

test('TOTP setup required by the pool: QR code → code from it → signed in; sign out; sign in with TOTP', T, async () => {
  await open(MFA_PAGE());
  await signInWith('newmfa', 'Newmfa-Passw0rd!');
  await challenge('MFA_SETUP');
  // The secret comes from the QR code drawn in the page (and is the fixture's setupSecret).
  const uri = await decodeQr();
  assert.equal(uri, `otpauth://totp/AWSCognito:newmfa?secret=${NEWMFA_SECRET}&issuer=AWSCognito`);
  const secret = new URL(uri).searchParams.get('secret');
  assert.equal(await page.getByTestId('totp-secret').textContent(), secret);
  assert.equal(await page.getByTestId('totp-uri').getAttribute('href'), uri);
  assert.equal(await focused(), 'input:code');
  await shot('dropin-totp-setup');
  await axe('TOTP setup');

  // A wrong code: announced, the code field keeps the focus, the same setup can be retried.
  await typeAndEnter(wrongTotp(secret));
  await assertRetry('That code is not right. Check it and try again.', 'EnableSoftwareTokenMFAException', 'code');
  await typeAndEnter(totp(secret), 'signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'newmfa@example.com');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Signed in as newmfa@example.com');
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (EnableSoftwareTokenMFAException)', 'cognito-signed-in (newmfa)']);

  // MFA is now set up: the next sign-in asks for the authenticator app's code.
  await signOutViaElement();
  await signInWith('newmfa', 'Newmfa-Passw0rd!');
  await challenge('SOFTWARE_TOKEN_MFA');
  assert.match(await login().locator('[part=screen]').textContent(), /Enter the code from your authenticator app\./);
  assert.equal(await focused(), 'input:code');
  await typeAndEnter(totp(secret), 'signedIn');
  assert.equal(await page.getByTestId('user-name').textContent(), 'New Mfa');
});

test('TOTP MFA sign-in: wrong code announced, focus kept, retry succeeds', T, async () => {
  await open();
  await signInWith('totpuser', 'Totp-Passw0rd!');
  await challenge('SOFTWARE_TOKEN_MFA');
  assert.equal(await focused(), 'input:code');
  await typeAndEnter(wrongTotp(TOTPUSER_SECRET));
  await assertRetry('That code is not right. Check it and try again.', 'CodeMismatchException', 'code');
  // The same challenge, answered right (the typed text replaces the selected wrong code).
  await typeAndEnter(totp(TOTPUSER_SECRET), 'signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'totp@example.com');
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (CodeMismatchException)', 'cognito-signed-in (totpuser)']);
});

test('EMAIL_OTP MFA sign-in: code from the outbox, wrong code first', T, async () => {
  await open(MFA_PAGE());
  await signInWith('emailmfa', 'Email-Passw0rd!');
  await challenge('EMAIL_OTP');
  assert.match(await login().locator('[part=screen]').textContent(), /We sent a code to e\*\*\*@e\*\*\*\./);
  const code = await lastCode(mfa.url, 'emailmfa', 'EMAIL_OTP');
  await typeAndEnter(code === '000000' ? '000001' : '000000');
  await assertRetry('That code is not right. Check it and try again.', 'CodeMismatchException', 'code');
  await typeAndEnter(code, 'signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'emailmfa@example.com');
});

test('MFA type choice (SELECT_MFA_TYPE): each offered type, then its code', T, async () => {
  // twofactor (demo pool): SMS and email.
  for (const [label, type, destination] of [['Email', 'EMAIL_OTP', /t\*\*\*@e\*\*\*/], ['Text message', 'SMS_MFA', /\+\*+0199/]]) {
    await open();
    await signInWith('twofactor', 'Two-Passw0rd!');
    await challenge('SELECT_MFA_TYPE');
    const offered = await login().locator('[data-mfa-type]').evaluateAll((bs) => bs.map((b) => `${b.dataset.mfaType}:${b.textContent}`));
    assert.deepEqual(offered, ['SMS_MFA:Text message', 'EMAIL_OTP:Email']);
    if (type === 'EMAIL_OTP') { await shot('dropin-select-mfa'); await axe('MFA choice'); }
    await page.getByRole('button', { name: label, exact: true }).click();
    await challenge(type);
    assert.match(await login().locator('[part=screen]').textContent(), destination);
    assert.equal(await focused(), 'input:code');
    await typeAndEnter(await lastCode(env.emulatorUrl, 'twofactor', type), 'signedIn');
    assert.equal(await page.getByTestId('user-email').textContent(), 'two@example.com');
    await signOutViaElement();
  }
  // choosy (MFA pool): SMS and the authenticator app.
  await open(MFA_PAGE());
  await signInWith('choosy', 'Choosy-Passw0rd!');
  await challenge('SELECT_MFA_TYPE');
  const offered = await login().locator('[data-mfa-type]').evaluateAll((bs) => bs.map((b) => b.dataset.mfaType));
  assert.deepEqual(offered, ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  await page.getByRole('button', { name: 'Authenticator app', exact: true }).click();
  await challenge('SOFTWARE_TOKEN_MFA');
  await typeAndEnter(totp(CHOOSY_SECRET), 'signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'choosy@example.com');
});

async function initiateCounts(emulatorUrl) {
  const s = await (await fetch(`${emulatorUrl}/_emulator/stats`)).json();
  return Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('InitiateAuth')));
}

test('custom challenge (auth-flow CUSTOM_WITHOUT_SRP): the question, a wrong answer, the right one', T, async () => {
  const before = await initiateCounts(env.emulatorUrl);
  await open({ authFlow: 'CUSTOM_WITHOUT_SRP' });
  assert.equal(await login().getAttribute('auth-flow'), 'CUSTOM_WITHOUT_SRP');
  assert.equal(await field('password').count(), 0, 'no password field');
  assert.equal(await page.getByTestId('to-forgot').count(), 0);
  await signInWith('demo');
  await challenge('CUSTOM_CHALLENGE');
  // The Lambda's public parameter `question` labels the answer field.
  assert.equal(await page.getByLabel('What is 6 times 7?').count(), 1);
  assert.equal(await focused(), 'input:answer');
  await shot('dropin-custom-challenge');
  await axe('custom challenge');
  await typeAndEnter('41');
  await assertRetry('That answer is not right. Try again.', 'WrongAnswer', 'answer');
  assert.equal(await login().getAttribute('challenge'), 'CUSTOM_CHALLENGE');
  await typeAndEnter('42', 'signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'demo@example.com');
  const after = await initiateCounts(env.emulatorUrl);
  assert.equal((after['InitiateAuth:CUSTOM_AUTH'] ?? 0) - (before['InitiateAuth:CUSTOM_AUTH'] ?? 0), 1, JSON.stringify(after));
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (WrongAnswer)', 'cognito-signed-in (demo)']);
});

test('custom challenge after the password (auth-flow CUSTOM_WITH_SRP)', T, async () => {
  const seen = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().startsWith(env.emulatorUrl)) seen.push(r.postDataJSON()); });
  await open({ authFlow: 'CUSTOM_WITH_SRP' });
  await signInWith('demo', 'Wrong-Passw0rd!');
  await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '');
  await assertRetry('Incorrect username or password.', 'NotAuthorizedException', 'password');
  await page.keyboard.type(USERS.demo.password);
  await page.keyboard.press('Enter');
  await challenge('CUSTOM_CHALLENGE');
  await typeAndEnter('42', 'signedIn');
  // SRP inside CUSTOM_AUTH: the password never left the page.
  const initiates = seen.filter((b) => b?.AuthFlow);
  assert.deepEqual(initiates.map((b) => [b.AuthFlow, b.AuthParameters.CHALLENGE_NAME, typeof b.AuthParameters.SRP_A]),
    [['CUSTOM_AUTH', 'SRP_A', 'string'], ['CUSTOM_AUTH', 'SRP_A', 'string']]);
  assert.ok(!JSON.stringify(seen).includes(USERS.demo.password), 'no password on the wire');
});

test('hosted mode: emulator login page → back on dropin.html signed in → sign-out with redirect', T, async () => {
  const nav = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) nav.push(f.url()); });
  await open({ mode: 'hosted', providers: 'Google' });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.href.startsWith(`${env.emulatorUrl}/oauth2/authorize?`));
  assert.equal(new URL(page.url()).searchParams.get('redirect_uri'), `${env.webUrl}/dropin.html`);
  await page.getByLabel('Username').fill(USERS.demo.username);
  await page.getByLabel('Password').fill(USERS.demo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await screen('signedIn');
  assert.ok(nav.some((u) => u.startsWith(`${env.webUrl}/dropin.html?code=`)), nav.join('\n'));
  assert.equal(page.url(), `${env.webUrl}/dropin.html`, 'code and state removed from the address bar');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Signed in as demo@example.com');
  assert.equal(await page.getByTestId('user-email').textContent(), 'demo@example.com');
  assert.equal(await page.getByTestId('signed-in-content').isVisible(), true);
  assert.deepEqual(await events(), ['cognito-signed-in (demo)']);
  const stored = await page.evaluate((k) => localStorage.getItem(k), `${KEY_PREFIX}${CLIENT_ID}.demo.tokenSource`);
  assert.equal(stored, 'hostedUI');
  const token = await page.evaluate(() => document.querySelector('cognito-login').getAccessToken());
  assert.equal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).scope, 'openid email profile');

  // Sign-out in hosted mode: revoke, the hosted UI's /logout, back on dropin.html signed out.
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  // The page is already on dropin.html: wait for the navigation that comes back from /logout.
  const back = page.waitForEvent('framenavigated', (f) => f === page.mainFrame() && f.url() === `${env.webUrl}/dropin.html`);
  await page.getByTestId('sign-out').click();
  await back;
  await screen('hosted');
  assert.ok(requests.some((r) => r.startsWith(`POST ${env.emulatorUrl}/oauth2/revoke`)), requests.join('\n'));
  const logout = requests.find((r) => r.startsWith(`GET ${env.emulatorUrl}/logout?`));
  assert.ok(logout, requests.join('\n'));
  assert.equal(new URL(logout.slice(4)).searchParams.get('logout_uri'), `${env.webUrl}/dropin.html`);
  assert.equal(await page.getByTestId('signed-out-content').isVisible(), true);
  assert.equal(await page.getByTestId('signed-in-content').isVisible(), false);
  assert.deepEqual(await events(), ['cognito-signed-out']);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('CognitoIdentityServiceProvider.')).length), 0);

  // The provider button: the simulated Google page, then back signed in.
  await page.getByRole('button', { name: 'Sign in with Google', exact: true }).click();
  await page.getByText('Sign in with Google (simulated)').waitFor();
  await page.getByLabel('Email at Google').fill(USERS.alice.email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await screen('signedIn');
  assert.equal(page.url(), `${env.webUrl}/dropin.html`);
  assert.equal(await page.getByTestId('user-email').textContent(), USERS.alice.email);
  const claims = await page.evaluate(async () => (await document.querySelector('cognito-login').getSession()).idTokenClaims);
  assert.equal(claims.identities?.[0]?.providerName, 'Google');
});
