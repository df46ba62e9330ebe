// End-to-end: both demo pages under a strict Content-Security-Policy with Trusted Types, in
// headless Chromium against the emulator. scripts/serve.mjs serves every file under /csp/ too,
// with the policy below in the reply header (README.md, "Content Security Policy", explains it
// line by line). Every page records `securitypolicyviolation` events from an init script, and
// the console's CSP / Trusted Types errors; each test ends by asserting there were none.
// The journeys: SRP sign-in through the raw API (www-demo/index.html), and through
// <cognito-login passkeys> (www-demo/dropin.html): password sign-in, "Create a passkey",
// "Sign in with a passkey" (a CDP virtual authenticator; WebAuthn needs http://localhost), and
// the TOTP setup screen with its QR code (the MFA-required pool, as in dropin-journeys.test.mjs).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { setup, ROOT, CLIENT_ID, POOL_ID, USERS, totp } from './harness.mjs';

const T = { timeout: 120_000 };
// Written out here, not imported from serve.mjs: the test pins the exact header.
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self' http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'; require-trusted-types-for 'script'";
const MFA_POOL = 'us-east-1_EmuMfaReq';
const MFA_CLIENT = '7f3kq2m9emulatormfaclient1';
const NEWMFA_SECRET = 'MNXWO3TJORXS253BONWS2ZDSN5YC22LO'; // tests/fixtures/mfa-required-pool.json
const PASSKEY_USER = { username: 'passkey', password: 'Passkey-Passw0rd!', email: 'passkey@example.com' };
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };

let env;
let mfa;
let page;

before(async () => {
  env = await setup();
  mfa = await env.startEmulator('tests/fixtures/mfa-required-pool.json');
}, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => {
  if (!page) return;
  const { violations, consoleErrors } = await collected();
  const errors = page.errors.map((e) => e.stack ?? String(e));
  await page.context().close();
  page = null;
  assert.deepEqual(violations, [], 'securitypolicyviolation events');
  assert.deepEqual(consoleErrors, [], 'CSP / Trusted Types errors on the console');
  assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
});

/** A fresh page whose documents record every CSP violation (capture phase, before any page script). */
async function newCspPage() {
  page = await env.newPage();
  page.consoleErrors = [];
  page.on('console', (m) => {
    if (/content security policy|trusted ?type|TrustedHTML|TrustedScript/i.test(m.text())) page.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    }, true);
  });
  return page;
}
/** Opens `url` and checks the document came with exactly the policy. */
async function goto(url) {
  const resp = await page.goto(url);
  assert.equal(resp.headers()['content-security-policy'], POLICY);
}
async function collected() {
  // Violations are reported asynchronously: give pending reports a moment to arrive.
  const violations = await page.evaluate(() => new Promise((r) => setTimeout(() => r(window.__cspViolations ?? ['no collector']), 100)));
  return { violations, consoleErrors: page.consoleErrors };
}
const local = () => env.webUrl.replace('127.0.0.1', 'localhost');
const dropinUrl = (extra = {}) => `${local()}/csp/dropin.html?${new URLSearchParams({
  endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local', ...extra })}`;
const screen = (name) => page.waitForSelector(`cognito-login[screen="${name}"]`);
const field = (name) => page.getByTestId(`field-${name}`);
/** Cognito API calls the page made, as `Target AuthFlow/ChallengeName`. */
function recordCalls() {
  const calls = [];
  page.on('request', (r) => {
    const target = r.headers()['x-amz-target'];
    if (!target) return;
    const body = JSON.parse(r.postData() ?? '{}');
    calls.push(`${target.split('.').pop()} ${body.AuthFlow ?? body.ChallengeName ?? ''}`.trim());
  });
  return calls;
}

test('the collector sees what the policy blocks: an inline <style> in a shadow root, innerHTML, an inline script', T, async () => {
  await newCspPage();
  await goto(`${env.webUrl}/csp/blank.html`);
  const thrown = await page.evaluate(() => {
    const host = document.createElement('div');
    document.body.append(host);
    const style = document.createElement('style');
    style.textContent = ':host { color: red }';
    host.attachShadow({ mode: 'open' }).append(style);
    const tryIt = (f) => { try { f(); return 'ran'; } catch (e) { return e.name; } };
    return [
      tryIt(() => document.body.insertAdjacentHTML('beforeend', '<b>x</b>')),
      tryIt(() => { const s = document.createElement('script'); s.textContent = 'window.ran = true'; document.body.append(s); }),
    ];
  });
  // Trusted Types refused both strings (no policy exists to turn them into trusted values).
  assert.deepEqual(thrown, ['TypeError', 'TypeError']);
  assert.equal(await page.evaluate(() => window.ran ?? false), false);
  const { violations, consoleErrors } = await collected();
  const directives = [...new Set(violations.map((v) => v.split(' ')[0]))].sort();
  assert.deepEqual(directives, ['require-trusted-types-for', 'style-src-elem'], violations.join('\n'));
  assert.ok(consoleErrors.length > 0, 'the console reported them too');
  await page.context().close();
  page = null;
  // The same file outside /csp/ comes without the header.
  const plain = await fetch(`${env.webUrl}/blank.html`);
  assert.equal(plain.headers.get('content-security-policy'), null);
});

test('no script-running sink or inline code in the shipped JS (glue, element, QR) and the demo pages', () => {
  // The browser tests below only see the code paths they walk; this covers the rest. Comments
  // are stripped first (element.js says "no innerHTML" in one).
  const SINKS = [/\.(inner|outer)HTML\s*=/, /insertAdjacentHTML\s*\(/, /document\.write(ln)?\s*\(/, /\bnew\s+Function\s*\(/, /\beval\s*\(/,
    /createContextualFragment\s*\(/, /\bDOMParser\b/, /\bsrcdoc\b/, /set(Timeout|Interval)\s*\(\s*['"`]/, /\.setAttribute\(\s*['"]style['"]/, /\.cssText\s*=/];
  const files = ['pkg/cognito_wasm.js', 'pkg/element.js', 'pkg/qr.js',
    ...fs.readdirSync(path.join(ROOT, 'www-demo')).filter((f) => f.endsWith('.js')).map((f) => `www-demo/${f}`)];
  const found = [];
  for (const f of files) {
    const code = fs.readFileSync(path.join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
    for (const re of SINKS) if (re.test(code)) found.push(`${f}: ${re}`);
  }
  for (const f of fs.readdirSync(path.join(ROOT, 'www-demo')).filter((f) => f.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(ROOT, 'www-demo', f), 'utf8');
    for (const re of [/<style/i, /<script(?![^>]*\bsrc=)[^>]*>/i, /\sstyle\s*=/i, /\son[a-z]+\s*=/i, /javascript:/i]) if (re.test(html)) found.push(`www-demo/${f}: ${re}`);
  }
  assert.deepEqual(found, []);
  // The scan itself finds what it looks for.
  assert.ok(SINKS[0].test('box.innerHTML = s') && SINKS[4].test('eval("1")') && SINKS[3].test('new Function("x")'));
});

test("without 'wasm-unsafe-eval' the wasm does not load (why the policy needs it)", T, async () => {
  await newCspPage();
  const weaker = POLICY.replace(" 'wasm-unsafe-eval'", '');
  await page.route((u) => u.pathname === '/csp/', async (route) => {
    const resp = await route.fetch();
    await route.fulfill({ response: resp, headers: { ...resp.headers(), 'content-security-policy': weaker } });
  });
  await page.goto(`${env.webUrl}/csp/?${new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID })}`);
  await page.waitForSelector('body[data-state="error"]');
  assert.equal(await page.getByTestId('status').textContent(), 'Could not load cognito-wasm.');
  const { violations } = await collected();
  assert.ok(violations.some((v) => /^script-src blocked wasm-eval /.test(v)), violations.join('\n'));
  await page.context().close();
  page = null;
});

test("frame-ancestors 'none': another site cannot frame the element's page (clickjacking); without the policy it can", T, async () => {
  await newCspPage();
  // The framing page is on 127.0.0.1, the framed one on localhost: another site.
  await page.goto(`${env.webUrl}/blank.html`);
  const framed = async (url) => {
    await page.evaluate((src) => new Promise((resolve) => {
      document.querySelector('iframe')?.remove();
      const f = document.createElement('iframe');
      f.onload = resolve;
      setTimeout(resolve, 5000);
      f.src = src;
      document.body.append(f);
    }), url);
    const child = page.frames().find((f) => f !== page.mainFrame());
    const shown = await child.evaluate(() => !!document.querySelector('cognito-login')).catch(() => false);
    return shown ? 'shown' : 'blocked';
  };
  assert.equal(await framed(dropinUrl().replace('/csp/', '/')), 'shown', 'the same page without the header can be framed');
  assert.equal(await framed(dropinUrl()), 'blocked');
  assert.ok(page.consoleErrors.some((m) => /frame-ancestors/.test(m)), page.consoleErrors.join('\n'));
  await page.context().close();
  page = null;
});

test('raw API page: SRP sign-in (the wasm runs: wasm-unsafe-eval) and sign-out, no violation', T, async () => {
  await env.control('reset');
  await newCspPage();
  const calls = recordCalls();
  await goto(`${env.webUrl}/csp/?${new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID })}`);
  await page.waitForSelector('body[data-state="signed-out"]');
  // The page's stylesheet applied (style-src 'self').
  assert.equal(await page.locator('#signin-button').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(37, 99, 235)');
  await page.getByLabel('Username or email').fill(USERS.demo.username);
  await page.getByLabel('Password').fill(USERS.demo.password);
  await page.getByTestId('signin-submit').click();
  await page.waitForSelector('body[data-state="signed-in"]');
  assert.equal(await page.getByTestId('session-username').textContent(), 'demo');
  assert.deepEqual(calls.filter((c) => /Auth|Challenge/.test(c)), ['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
  await page.getByTestId('signout').click();
  await page.waitForSelector('body[data-state="signed-out"]');
});

test('<cognito-login passkeys>: styled, SRP sign-in, "Create a passkey", sign out, "Sign in with a passkey", no violation', T, async () => {
  await env.control('reset');
  await newCspPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR });
  const calls = recordCalls();
  await goto(dropinUrl());
  await screen('signIn');
  // The element's styles applied (a constructed sheet, not a <style> element): the accent
  // colour on the primary button, the border box; the page's dropin.css hides nothing defined.
  const look = await page.getByTestId('submit').evaluate((b) => {
    const box = b.getRootNode().querySelector('.box');
    return [getComputedStyle(b).backgroundColor, getComputedStyle(box).borderTopWidth, b.getRootNode().querySelectorAll('style').length];
  });
  assert.deepEqual(look, ['rgb(26, 86, 176)', '1px', 0]);
  assert.equal(await page.getByTestId('passkey-sign-in').textContent(), 'Sign in with a passkey');
  assert.equal(await page.getByTestId('other-ways').textContent(), 'Other ways to sign in');

  await field('username').fill(PASSKEY_USER.username);
  await field('password').fill(PASSKEY_USER.password);
  await page.getByTestId('submit').click();
  await screen('signedIn');
  assert.deepEqual(calls.filter((c) => /Auth|Challenge/.test(c)), ['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
  await page.getByTestId('create-passkey').click();
  await page.waitForFunction(() => document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=notice]').textContent !== '');
  assert.equal(await page.getByTestId('notice').textContent(), 'Passkey created. Next time you can sign in with it.');
  const [cred] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  assert.equal(cred.rpId, 'localhost');

  await page.getByTestId('sign-out').click();
  await screen('signIn');
  await field('username').fill(PASSKEY_USER.username);
  await page.getByTestId('passkey-sign-in').click();
  await screen('signedIn');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), `Signed in as ${PASSKEY_USER.email}`);
  const [used] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  assert.ok(used.signCount > cred.signCount, 'the authenticator signed an assertion');
  assert.equal(calls.at(-1), 'RespondToAuthChallenge WEB_AUTHN');
});

test('<cognito-login>: the TOTP setup screen draws its QR code (DOM-built SVG) and the code from it signs in, no violation', T, async () => {
  const r = await fetch(`${mfa.url}/_emulator/reset`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 200);
  await newCspPage();
  await goto(dropinUrl({ endpoint: mfa.endpoint, userPoolId: MFA_POOL, clientId: MFA_CLIENT }));
  await screen('signIn');
  await field('username').fill('newmfa');
  await field('password').fill('Newmfa-Passw0rd!');
  await page.getByTestId('submit').click();
  await page.waitForSelector('cognito-login[screen="challenge"][challenge="MFA_SETUP"]');
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  // Rasterised in the page (img-src data:) and decoded by jsQR, as dropin-journeys does.
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
  const uri = jsQR(new Uint8ClampedArray(px), w, h)?.data;
  assert.equal(uri, `otpauth://totp/AWSCognito:newmfa?secret=${NEWMFA_SECRET}&issuer=AWSCognito`);
  assert.equal(await page.getByTestId('totp-secret').textContent(), NEWMFA_SECRET);
  await field('code').fill(totp(NEWMFA_SECRET));
  await page.getByTestId('submit').click();
  await screen('signedIn');
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Signed in as newmfa@example.com');
});
