// End-to-end: the drop-in <cognito-login> element (pkg/element.js) on www-demo/dropin.html,
// against the emulator: keyboard-only sign-in, errors announced, companions, DOM events,
// sign-up + confirmation, forgot password, SMS MFA, new password, sign-out, hosted mode's
// authorize request, an axe-core scan, and the screenshots shown in README.md
// (docs/screenshots/). TOTP setup/MFA, the MFA choice, custom challenges and the hosted round
// trip are in dropin-journeys.test.mjs.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup, ROOT, CLIENT_ID, POOL_ID, USERS } from './harness.mjs';

const T = { timeout: 120_000 };
// The committed screenshots (README) are rewritten only with UPDATE_SCREENSHOTS=1; a normal run
// still takes them, into a scratch folder, so a test run leaves the work tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'cognito-wasm-screenshots');
const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

let env;
let page;

before(async () => { env = await setup(); fs.mkdirSync(SHOTS, { recursive: true }); }, { timeout: 120_000 });
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

const url = (extra = {}) => `${env.webUrl}/dropin.html?${new URLSearchParams({
  endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local', ...extra })}`;
const login = () => page.locator('cognito-login');
const screen = (name) => page.waitForSelector(`cognito-login[screen="${name}"]`);
const field = (name) => page.getByTestId(`field-${name}`);
const events = () => page.$$eval('#events li', (lis) => lis.map((li) => li.textContent));
const errorText = () => page.getByTestId('error').textContent();

async function open(extra) {
  await page.goto(url(extra));
  await screen(extra?.mode === 'hosted' ? 'hosted' : 'signIn');
}
async function lastCode(username, purpose) {
  const items = (await (await fetch(`${env.emulatorUrl}/_emulator/outbox`)).json())
    .filter((m) => m.username === username && m.purpose === purpose);
  assert.ok(items.length > 0, `a ${purpose} code was sent to ${username}`);
  return items.at(-1).code;
}
async function submit(next) {
  const before = await login().getAttribute('screen');
  await page.getByTestId('submit').click();
  if (next) await screen(next);
  else await page.waitForFunction(([b]) => document.querySelector('cognito-login').getAttribute('screen') !== b
    || document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '', [before]);
}
/** Name of the focused element inside the element's shadow root. */
const focused = () => page.evaluate(() => {
  const a = document.activeElement;
  const inner = a?.shadowRoot?.activeElement;
  return inner ? `${inner.tagName.toLowerCase()}:${inner.name || inner.textContent}` : a?.tagName.toLowerCase();
});
const shot = (name, target = login()) => target.screenshot({ path: path.join(SHOTS, `${name}.png`) });
async function visible(testid) { return page.getByTestId(testid).isVisible(); }

test('keyboard-only sign-in, wrong password announced, companions, events, token, sign-out', T, async () => {
  await open();
  assert.equal(await visible('signed-out-content'), true);
  assert.equal(await visible('signed-in-content'), false);
  assert.deepEqual(await events(), ['cognito-signed-out']);
  await shot('dropin-sign-in');

  // Keyboard only: Tab from the top of the page to the username field.
  let steps = 0;
  while ((await focused()) !== 'input:username') {
    assert.ok(++steps < 15, `the username field is reachable with Tab (focus: ${await focused()})`);
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type('demo');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'input:password');
  await page.keyboard.type('Wrong-Passw0rd!');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '');
  assert.equal(await errorText(), 'Incorrect username or password.');
  const live = await page.getByTestId('error').evaluate((e) => [e.getAttribute('aria-live'), e.dataset.code]);
  assert.deepEqual(live, ['assertive', 'NotAuthorizedException']);
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (NotAuthorizedException)']);
  await shot('dropin-error');

  assert.equal(await focused(), 'input:password');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(USERS.demo.password);
  await page.keyboard.press('Enter');
  await screen('signedIn');
  assert.equal(await errorText(), '');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Signed in as demo@example.com');
  assert.equal(await visible('signed-in-content'), true);
  assert.equal(await visible('signed-out-content'), false);
  assert.equal(await page.getByTestId('user-name').textContent(), 'Demo User');
  assert.equal(await page.getByTestId('user-email').textContent(), 'demo@example.com');
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (NotAuthorizedException)', 'cognito-signed-in (demo)']);
  // Focus moved into the new screen (its sign-out button).
  assert.equal(await focused(), 'button:Sign out');

  // The access token, from the element and from the module export.
  const token = await page.evaluate(() => document.querySelector('cognito-login').getAccessToken());
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.username, 'demo');
  assert.equal(claims.token_use, 'access');
  assert.equal(claims.client_id, CLIENT_ID);
  await page.getByTestId('show-token').click();
  await page.getByTestId('token-claims').waitFor();
  assert.deepEqual(JSON.parse(await page.getByTestId('token-claims').textContent()),
    { username: 'demo', token_use: 'access', client_id: CLIENT_ID });
  await shot('dropin-signed-in', page.locator('main'));

  // A reload keeps the session (and says so with an event).
  await page.reload();
  await screen('signedIn');
  assert.deepEqual(await events(), ['cognito-signed-in (demo)']);

  // The companion sign-out button.
  await page.getByTestId('companion-sign-out').getByRole('button', { name: 'Sign out' }).click();
  await screen('signIn');
  assert.equal(await visible('signed-out-content'), true);
  assert.equal(await visible('signed-in-content'), false);
  assert.equal(await page.getByTestId('user-email').textContent(), '');
  assert.deepEqual(await events(), ['cognito-signed-in (demo)', 'cognito-signed-out']);
  assert.equal(await page.evaluate(() => document.querySelector('cognito-login').getAccessToken()), null);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith('.accessToken')).length), 0);
});

test('sign-up, confirmation code from the outbox, automatic sign-in, sign-out, sign-in', T, async () => {
  await open();
  await page.getByTestId('to-sign-up').click();
  await screen('signUp');
  assert.equal(await focused(), 'input:username');
  await field('username').fill('dropinuser');
  await field('email').fill('dropin@example.com');
  await field('password').fill('weak');
  await submit();
  assert.equal(await page.getByTestId('error').getAttribute('data-code'), 'InvalidPasswordException');
  await field('password').fill('Dropin-Passw0rd!');
  await shot('dropin-sign-up');
  await submit('confirm');
  assert.equal(await focused(), 'input:code');
  assert.match(await login().locator('[part=screen]').textContent(), /We sent a code to d\*\*\*@e\*\*\*/);
  await field('code').fill('000000');
  await submit();
  assert.equal(await errorText(), 'That code is not right. Check it and try again.');
  await shot('dropin-confirm');
  await field('code').fill(await lastCode('dropinuser', 'SIGN_UP'));
  await submit('signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'dropin@example.com');

  await page.getByTestId('sign-out').click();
  await screen('signIn');
  await field('username').fill('dropinuser');
  await field('password').fill('Dropin-Passw0rd!');
  await submit('signedIn');
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (InvalidPasswordException)',
    'cognito-error (CodeMismatchException)', 'cognito-signed-in (dropinuser)', 'cognito-signed-out', 'cognito-signed-in (dropinuser)']);
});

test('forgot password: code from the outbox, new password, sign-in with it', T, async () => {
  await open();
  await page.getByTestId('to-forgot').click();
  await screen('forgot');
  await field('username').fill('demo');
  await shot('dropin-forgot');
  await submit('reset');
  await field('code').fill(await lastCode('demo', 'FORGOT_PASSWORD'));
  await field('newPassword').fill('Reset-Passw0rd!');
  await submit('signIn');
  assert.equal(await page.getByTestId('notice').textContent(), 'Your password was changed. Sign in with the new one.');
  assert.equal(await field('username').inputValue(), 'demo');
  await field('password').fill(USERS.demo.password);
  await submit();
  assert.equal(await page.getByTestId('error').getAttribute('data-code'), 'NotAuthorizedException');
  await field('password').fill('Reset-Passw0rd!');
  await submit('signedIn');
});

test('SMS MFA code and new-password-required challenges', T, async () => {
  await open();
  await field('username').fill('smsuser');
  await field('password').fill('Sms-Passw0rd!');
  await submit('challenge');
  assert.equal(await focused(), 'input:code');
  assert.match(await login().locator('[part=screen]').textContent(), /We sent a code to \+\*+0123\./);
  await shot('dropin-mfa');
  await field('code').fill(await lastCode('smsuser', 'SMS_MFA'));
  await submit('signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), 'sms@example.com');
  await page.getByTestId('sign-out').click();
  await screen('signIn');

  await field('username').fill('forced');
  await field('password').fill('Temp-Passw0rd!');
  await submit('challenge');
  assert.equal(await focused(), 'input:newPassword');
  await field('newPassword').fill('Forced-Passw0rd!');
  // The pool requires `name`, which this user does not have yet: the screen asks for it.
  await page.getByLabel('Name', { exact: true }).fill('Forced User');
  await submit('signedIn');
  assert.equal(await page.getByTestId('user-name').textContent(), 'Forced User');
  assert.equal(await page.getByTestId('user-email').textContent(), 'forced@example.com');
});

test('hosted mode: "Sign in" and provider buttons go to the hosted UI with PKCE', T, async () => {
  await open({ mode: 'hosted', domain: env.emulatorUrl, providers: 'Google' });
  await shot('dropin-hosted');
  for (const [name, provider] of [['Sign in', null], ['Sign in with Google', 'Google']]) {
    const req = page.waitForRequest((r) => r.url().startsWith(`${env.emulatorUrl}/oauth2/authorize?`));
    await page.getByRole('button', { name, exact: true }).click();
    const u = new URL((await req).url());
    assert.equal(u.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(u.searchParams.get('response_type'), 'code');
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(u.searchParams.get('redirect_uri'), `${env.webUrl}/dropin.html`);
    assert.equal(u.searchParams.get('identity_provider'), provider);
    await page.goto(url({ mode: 'hosted', domain: env.emulatorUrl, providers: 'Google' }));
    await screen('hosted');
  }
});

test('no layout shift: the element reserves its height while the wasm loads; strings are overridable', T, async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/pkg/cognito_wasm_bg.wasm', async (route) => { await gate; await route.continue(); });
  await page.goto(url());
  await page.waitForFunction(() => customElements.get('cognito-login'));
  const loading = await login().boundingBox();
  assert.equal(await login().getAttribute('screen'), null);
  assert.ok(loading.height >= 352, `reserved height ${loading.height}`);
  release();
  await screen('signIn');
  const ready = await login().boundingBox();
  assert.equal(ready.y, loading.y, 'the element did not move');
  await page.evaluate(() => { document.querySelector('cognito-login').strings = { signInTitle: 'Connexion', username: 'Identifiant' }; });
  assert.equal(await page.getByRole('heading', { name: 'Connexion' }).count(), 1);
  assert.equal(await page.getByLabel('Identifiant').count(), 1);
});

async function axe(label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary}`).join(", ")}`);
  assert.deepEqual(bad, [], `${label}: axe-core serious/critical violations`);
}

test('axe-core: no serious or critical violations (light and dark, main screens)', T, async () => {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await open();
    await axe(`${colorScheme} sign-in`);
    await field('username').fill('demo');
    await field('password').fill('nope');
    await submit();
    await axe(`${colorScheme} sign-in error`);
    if (colorScheme === 'dark') await shot('dropin-sign-in-dark');
    await page.getByTestId('to-sign-up').click();
    await screen('signUp');
    await axe(`${colorScheme} sign-up`);
    await page.getByTestId('to-sign-in').click();
    await screen('signIn');
    await field('username').fill('demo');
    await field('password').fill(USERS.demo.password);
    await submit('signedIn');
    await axe(`${colorScheme} signed in`);
    await page.getByTestId('sign-out').click();
    await screen('signIn');
  }
});

test('remember-device checkbox: the new device is remembered only when ticked', T, async () => {
  const devicesClient = '3devicesclient00emulator01'; // deviceTracking OPT_IN
  for (const tick of [false, true]) {
    await open({ clientId: devicesClient });
    await field('username').fill('demo');
    await field('password').fill(USERS.demo.password);
    if (tick) await page.getByLabel('Remember this device').check();
    await submit('signedIn');
    const devices = await page.evaluate(() => document.querySelector('cognito-login').auth.listDevices());
    const mine = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith('.deviceKey'))?.[1]);
    assert.ok(mine, 'a device key is stored');
    assert.equal(devices.find((d) => d.deviceKey === mine)?.remembered, tick);
    await page.getByTestId('sign-out').click();
    await screen('signIn');
  }
});
