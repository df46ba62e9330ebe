// End-to-end: passkeys and passwordless codes where users meet the library: the drop-in
// <cognito-login passkeys> element (www-demo/dropin.html) and the raw-API demo's Passkeys panel
// (www-demo/index.html), in headless Chromium with a CDP virtual authenticator, against the
// emulator. WebAuthn refuses an IP address as relying-party id, so the pages are opened as
// http://localhost:PORT. Codes come from the emulator outbox. Screenshots as in dropin.test.mjs
// (docs/screenshots/ only with UPDATE_SCREENSHOTS=1).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup, ROOT, CLIENT_ID, POOL_ID } from './harness.mjs';

const T = { timeout: 120_000 };
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'cognito-wasm-screenshots');
const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const USER = { username: 'passkey', password: 'Passkey-Passw0rd!', email: 'passkey@example.com' };
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };

let env;
let page;
let cdp;
let authenticatorId;

before(async () => { env = await setup(); fs.mkdirSync(SHOTS, { recursive: true }); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => {
  const errors = (page?.errors ?? []).map((e) => e.stack ?? String(e));
  await page?.context().close();
  page = null;
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

const local = () => env.webUrl.replace('127.0.0.1', 'localhost');

/** A fresh context with a virtual authenticator, then `url` (on localhost). */
async function open(url) {
  await env.control('reset');
  page = await env.newPage();
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR }));
  await page.goto(url);
}
const openDropin = async () => {
  await open(`${local()}/dropin.html?${new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local' })}`);
  await screen('signIn');
};
const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials
  .map((c) => ({ ...c, id: Buffer.from(c.credentialId, 'base64').toString('base64url') }));

const login = () => page.locator('cognito-login');
const screen = (name) => page.waitForSelector(`cognito-login[screen="${name}"]`);
const field = (name) => page.getByTestId(`field-${name}`);
const events = () => page.$$eval('#events li', (lis) => lis.map((li) => li.textContent));
const errorText = () => page.getByTestId('error').textContent();
const waitError = () => page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=error]').textContent !== '');
const errorCode = () => page.getByTestId('error').evaluate((e) => [e.getAttribute('aria-live'), e.dataset.code]);
const focused = () => page.evaluate(() => {
  const inner = document.activeElement?.shadowRoot?.activeElement;
  return inner ? `${inner.tagName.toLowerCase()}:${inner.name || inner.textContent}` : document.activeElement?.tagName.toLowerCase();
});
const shot = (name) => login().screenshot({ path: path.join(SHOTS, `${name}.png`) });
async function axe(label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(', ')}`);
  assert.deepEqual(bad, [], `${label}: axe-core serious/critical violations`);
}
async function lastCode(username, purpose) {
  const items = (await (await fetch(`${env.emulatorUrl}/_emulator/outbox`)).json())
    .filter((m) => m.username === username && m.purpose === purpose);
  assert.ok(items.length > 0, `a ${purpose} code was sent to ${username}`);
  return items.at(-1).code;
}

test('element: password → "Create a passkey" → sign out → "Sign in with a passkey"; a cancelled ceremony is announced', T, async () => {
  await openDropin();
  assert.equal(await page.getByTestId('passkey-sign-in').textContent(), 'Sign in with a passkey');
  await shot('dropin-passkey-sign-in');
  await axe('sign-in with passkey buttons');
  // No username yet: the element asks for it and puts the focus there.
  await page.getByTestId('passkey-sign-in').click();
  await waitError();
  assert.equal(await errorText(), 'Enter your username first.');
  assert.equal(await focused(), 'input:username');

  await field('username').fill(USER.username);
  await field('password').fill(USER.password);
  await page.getByTestId('submit').click();
  await screen('signedIn');
  assert.equal(await focused(), 'button:Sign out', 'the focus is on the first action of the new screen');
  assert.deepEqual(await credentials(), []);
  await page.getByTestId('create-passkey').click();
  await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=notice]').textContent !== '');
  assert.equal(await page.getByTestId('notice').textContent(), 'Passkey created. Next time you can sign in with it.');
  assert.equal(await page.getByTestId('notice').getAttribute('role'), 'status');
  const [cred] = await credentials();
  assert.equal(cred.rpId, 'localhost');
  assert.equal(cred.userName, USER.username);
  await shot('dropin-passkey-created');
  await axe('signed in, passkey created');
  // The same authenticator again: excludeCredentials → PasskeyAlreadyRegistered, announced.
  await page.getByTestId('create-passkey').click();
  await waitError();
  assert.equal(await errorText(), 'This device already has a passkey for your account.');
  assert.deepEqual(await errorCode(), ['assertive', 'PasskeyAlreadyRegistered']);
  assert.equal((await credentials()).length, 1);

  await page.getByTestId('sign-out').click();
  await screen('signIn');
  assert.equal(await page.getByTestId('signed-in-content').isVisible(), false);
  // Keyboard: username, then Tab past password, checkbox and "Sign in" to the passkey button.
  await field('username').fill(USER.username);
  await field('username').focus();
  const order = [];
  while ((await focused()) !== 'button:Sign in with a passkey') {
    assert.ok(order.length < 6, `the passkey button is reachable with Tab (${order.join(', ')})`);
    await page.keyboard.press('Tab');
    order.push(await focused());
  }
  assert.deepEqual(order, ['input:password', 'input:remember', 'button:Sign in', 'button:Sign in with a passkey']);
  await page.keyboard.press('Enter');
  await screen('signedIn');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), `Signed in as ${USER.email}`);
  assert.equal(await page.getByTestId('signed-in-content').isVisible(), true);
  assert.equal(await page.getByTestId('user-email').textContent(), USER.email);
  assert.equal(await page.getByTestId('user-name').textContent(), 'Passkey User');
  const [used] = await credentials();
  assert.ok(used.signCount > cred.signCount, 'the authenticator signed an assertion');
  assert.deepEqual(await events(), ['cognito-signed-out', 'cognito-error (UsernameRequired)', 'cognito-signed-in (passkey)',
    'cognito-error (PasskeyAlreadyRegistered)', 'cognito-signed-out', 'cognito-signed-in (passkey)']);

  // The user does not verify: PasskeyCancelled announced, still on the sign-in screen.
  await page.getByTestId('sign-out').click();
  await screen('signIn');
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await field('username').fill(USER.username);
  await page.getByTestId('passkey-sign-in').click();
  await waitError();
  assert.equal(await errorText(), 'The passkey request was cancelled or timed out.');
  assert.deepEqual(await errorCode(), ['assertive', 'PasskeyCancelled']);
  assert.equal(await login().getAttribute('screen'), 'signIn');
  assert.equal(await page.getByTestId('passkey-sign-in').isEnabled(), true);
  await shot('dropin-passkey-cancelled');
  // Localisable: the strings property overrides the texts.
  await page.evaluate(() => { document.querySelector('cognito-login').strings = { passkeySignIn: 'Connexion par clé d’accès' }; });
  assert.equal(await page.getByTestId('passkey-sign-in').textContent(), 'Connexion par clé d’accès');
  // Verified again: the retry signs in.
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  await field('username').fill(USER.username); // the re-render (new strings) cleared the form
  await page.getByTestId('passkey-sign-in').click();
  await screen('signedIn');
  assert.equal(await errorText(), '');
  // With a passkey, the choice screen offers it too.
  await page.getByTestId('sign-out').click();
  await screen('signIn');
  await field('username').fill(USER.username);
  await page.getByTestId('other-ways').click();
  await screen('challenge');
  const choices = await page.$$eval('cognito-login', ([l]) => [...l.shadowRoot.querySelectorAll('[data-challenge]')].map((b) => b.dataset.challenge));
  assert.deepEqual(choices.sort(), ['EMAIL_OTP', 'PASSWORD_SRP', 'SMS_OTP', 'WEB_AUTHN']);
  await page.getByRole('button', { name: 'Use a passkey', exact: true }).click();
  await screen('signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), USER.email);
});

test('element: passwordless email code through the choice screen; the password choice; focus and axe', T, async () => {
  await openDropin();
  await field('username').fill(USER.username);
  await page.getByTestId('other-ways').click();
  await screen('challenge');
  assert.equal(await login().getAttribute('challenge'), 'SELECT_CHALLENGE');
  assert.equal(await page.getByRole('heading', { name: 'Choose how to sign in' }).count(), 1);
  const choices = await page.$$eval('cognito-login', ([l]) => [...l.shadowRoot.querySelectorAll('[data-challenge]')]
    .map((b) => `${b.dataset.challenge}:${b.textContent}`));
  // No passkey yet: no WEB_AUTHN; PASSWORD and PASSWORD_SRP are one "Use my password" button.
  assert.deepEqual(choices.sort(), ['EMAIL_OTP:Email me a code', 'PASSWORD_SRP:Use my password', 'SMS_OTP:Text me a code']);
  assert.match(await focused(), /^button:/, 'the focus moved to the first choice');
  await shot('dropin-select-challenge');
  await axe('choice of sign-in method');

  await page.getByRole('button', { name: 'Email me a code', exact: true }).click();
  await page.waitForSelector('cognito-login[challenge="EMAIL_OTP"]');
  assert.equal(await focused(), 'input:code');
  assert.match(await page.locator('cognito-login p.help').first().textContent(), /^We sent a code to p\*\*\*@e\*\*\*/);
  await shot('dropin-email-code');
  const code = await lastCode(USER.username, 'EMAIL_OTP');
  await field('code').fill(code === '000000' ? '111111' : '000000');
  await page.getByTestId('submit').click();
  await waitError();
  assert.deepEqual(await errorCode(), ['assertive', 'CodeMismatchException']);
  await field('code').fill(code);
  await page.getByTestId('submit').click();
  await screen('signedIn');
  assert.equal(await page.getByTestId('user-email').textContent(), USER.email);
  await page.getByTestId('sign-out').click();
  await screen('signIn');

  // The password choice: a wrong password is announced, the next try signs in.
  await field('username').fill(USER.username);
  await page.getByTestId('other-ways').click();
  await screen('challenge');
  await page.getByRole('button', { name: 'Use my password', exact: true }).click();
  await screen('password');
  assert.equal(await focused(), 'input:password');
  await field('password').fill('Wrong-Passw0rd!');
  await page.getByTestId('submit').click();
  await waitError();
  assert.deepEqual(await errorCode(), ['assertive', 'NotAuthorizedException']);
  assert.equal(await errorText(), 'Incorrect username or password.');
  await field('password').fill(USER.password);
  await page.getByTestId('submit').click();
  await screen('signedIn');

  // Text message: the SMS_OTP code screen reuses the code form.
  await page.getByTestId('sign-out').click();
  await screen('signIn');
  await field('username').fill(USER.username);
  await page.getByTestId('other-ways').click();
  await screen('challenge');
  await page.getByRole('button', { name: 'Text me a code', exact: true }).click();
  await page.waitForSelector('cognito-login[challenge="SMS_OTP"]');
  await field('code').fill(await lastCode(USER.username, 'SMS_OTP'));
  await page.getByTestId('submit').click();
  await screen('signedIn');
});

test('raw-API demo: passkey panel: create, list, passkey sign-in, delete; email code without a password', T, async () => {
  await open(`${local()}/?${new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID })}`);
  await page.waitForSelector('body[data-state="signed-out"]');
  assert.equal(await page.getByTestId('passkey-signin').isVisible(), true);
  await page.getByLabel('Username or email').fill(USER.username);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByTestId('signin-submit').click();
  await page.waitForSelector('body[data-state="signed-in"]');

  await page.getByTestId('register-passkey').click();
  await page.waitForSelector('#passkey-list[data-count="1"]');
  const [cred] = await credentials();
  assert.equal(await page.locator('#passkey-list li').getAttribute('data-credential-id'), cred.id);
  assert.match(await page.getByTestId('status').textContent(), new RegExp(`^Passkey ${cred.id} created\\.$`));
  await page.getByTestId('list-passkeys').click();
  await page.waitForFunction(() => document.getElementById('status').textContent === '1 passkey(s).');

  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  assert.equal(await page.locator('#passkey-list li').count(), 0, 'the list is cleared on sign-out');
  await page.getByLabel('Username or email').fill(USER.username);
  await page.getByTestId('passkey-signin').click();
  await page.waitForSelector('body[data-state="signed-in"]');
  assert.equal(await page.getByTestId('session-username').textContent(), USER.username);

  await page.getByTestId('list-passkeys').click();
  await page.waitForSelector('#passkey-list[data-count="1"]');
  await page.locator(`#passkey-list li[data-credential-id="${cred.id}"]`).getByTestId('delete-passkey').click();
  await page.waitForSelector('#passkey-list[data-count="0"]', { state: 'attached' });
  assert.equal(await page.getByTestId('status').textContent(), 'Passkey deleted.');
  assert.equal((await credentials()).length, 1, 'the authenticator keeps it; Cognito forgot it');

  // Email code: signIn({ username }) → SELECT_CHALLENGE → EMAIL_OTP → the code panel.
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  await page.getByLabel('Username or email').fill(USER.username);
  await page.getByTestId('email-code-signin').click();
  await page.waitForSelector('body[data-state="challenge"]');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'EMAIL_OTP');
  await page.getByTestId('field-code').fill(await lastCode(USER.username, 'EMAIL_OTP'));
  await page.getByTestId('panel-submit').click();
  await page.waitForSelector('body[data-state="signed-in"]');
  assert.equal(await page.getByTestId('session-username').textContent(), USER.username);

  // A passkey sign-in without a passkey: Cognito offers the other factors (the choice panel).
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
  await page.getByLabel('Username or email').fill(USER.username);
  await page.getByTestId('passkey-signin').click();
  await page.waitForSelector('body[data-state="challenge"]');
  assert.equal(await page.getByTestId('challenge-name').textContent(), 'SELECT_CHALLENGE');
  await page.getByTestId('field-factor').selectOption('PASSWORD_SRP');
  await page.getByTestId('field-factorPassword').fill(USER.password);
  await page.getByTestId('panel-submit').click();
  await page.waitForSelector('body[data-state="signed-in"]');
});
