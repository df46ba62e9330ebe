// End-to-end: <cognito-login>'s forms as password managers and autofill see them, in both DOM
// modes (shadow, the default, and dom="light"), on www-demo/dropin.html against the emulator:
// every screen's inputs (name, autocomplete, type), Enter submits every form, what the document
// itself can see of the forms (light: the forms; shadow: nothing), the strict CSP in light mode,
// reactions to attribute changes, two elements on one page, and every screen in every language
// (each dictionary has exactly English's keys and placeholders; nothing renders a key name).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setup, ROOT, CLIENT_ID, POOL_ID, USERS } from './harness.mjs';

const T = { timeout: 60_000 };
const LANGS = ['es', 'fr', 'de', 'pt', 'ja', 'zh'];

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

const url = (extra = {}, prefix = '') => `${env.webUrl}${prefix}/dropin.html?${new URLSearchParams({
  endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, storage: 'local', ...extra })}`;
const screen = (name, sel = 'cognito-login') => page.waitForSelector(`${sel}[screen="${name}"]`);
async function open(extra, prefix) {
  await page.goto(url(extra, prefix));
  await screen('signIn');
}
/** The text of the element's title (h2), once it is `text`. */
const titleIs = (text, sel = 'cognito-login') => page.waitForFunction(([s, t]) => {
  const el = document.querySelector(s);
  return (el.shadowRoot && el.dom !== 'light' ? el.shadowRoot : el).querySelector('h2')?.textContent === t;
}, [sel, text]);

// Every screen with a form: how to show it, and its inputs as [name, autocomplete, type, hidden].
const FORM_SCREENS = [
  ['signIn', {}, [['username', 'username', 'text', false], ['password', 'current-password', 'password', false], ['remember', null, 'checkbox', false]]],
  ['signUp', {}, [['username', 'username', 'text', false], ['email', 'email', 'email', false], ['password', 'new-password', 'password', false]]],
  ['confirm', { username: 'demo' }, [['code', 'one-time-code', 'text', false]]],
  ['forgot', {}, [['username', 'username', 'text', false]]],
  ['reset', { username: 'demo' }, [['username', 'username', 'text', true], ['code', 'one-time-code', 'text', false], ['newPassword', 'new-password', 'password', false]]],
  ['challenge', { challenge: { name: 'SMS_MFA', codeDelivery: { destination: '+*******1234' } } }, [['code', 'one-time-code', 'text', false]]],
  ['challenge', { challenge: { name: 'EMAIL_OTP', codeDelivery: { destination: 'd***@e***' } } }, [['code', 'one-time-code', 'text', false]]],
  ['challenge', { challenge: { name: 'SOFTWARE_TOKEN_MFA' } }, [['code', 'one-time-code', 'text', false]]],
  ['challenge', { challenge: { name: 'MFA_SETUP', secretCode: 'JBSWY3DPEHPK3PXP', totpUri: 'otpauth://totp/demo?secret=JBSWY3DPEHPK3PXP&issuer=demo' } }, [['code', 'one-time-code', 'text', false]]],
  ['challenge', { challenge: { name: 'NEW_PASSWORD_REQUIRED', username: 'demo', requiredAttributes: ['name', 'phone_number'], userAttributes: {} } },
    [['username', 'username', 'text', true], ['newPassword', 'new-password', 'password', false], ['attr_name', 'name', 'text', false], ['attr_phone_number', 'tel', 'tel', false]]],
  ['challenge', { challenge: { name: 'CUSTOM_CHALLENGE', parameters: { question: '2 + 2?' } } }, [['answer', 'off', 'text', false]]],
  ['password', { username: 'demo', challenge: { availableChallenges: ['PASSWORD_SRP'] } }, [['username', 'username', 'text', true], ['password', 'current-password', 'password', false]]],
];
// The screens without a form (buttons only), for the language check.
const OTHER_SCREENS = [
  ['challenge', { challenge: { name: 'SELECT_MFA_TYPE', allowedMfaTypes: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'] } }],
  ['challenge', { challenge: { name: 'SELECT_CHALLENGE', username: 'demo', availableChallenges: ['WEB_AUTHN', 'EMAIL_OTP', 'SMS_OTP', 'PASSWORD_SRP'] } }],
  ['hosted', {}],
  ['signedIn', { session: { username: 'demo', idTokenClaims: { email: 'demo@example.com' } } }],
];

/** Shows a screen (the element's own renderer, with the data a flow would give it) and reads its form. */
function showAndRead(sel, name, data) {
  return page.evaluate(([s, n, d]) => {
    const el = document.querySelector(s);
    el._show(n, d, false);
    const root = el.dom === 'light' ? el : el.shadowRoot;
    const forms = root.querySelectorAll('form');
    return {
      forms: forms.length,
      inputs: [...root.querySelectorAll('form input')].map((i) => [i.name, i.getAttribute('autocomplete'), i.type, i.hidden]),
      submit: forms[0]?.querySelector('button[type=submit]') ? 1 : 0,
      // What the page's document sees without entering a shadow root (a password manager's view).
      documentForms: document.forms.length,
      documentPasswordFields: document.querySelectorAll('input[type=password]').length,
    };
  }, [sel, name, data]);
}

/** Enter in the first visible field submits its form: the submit event is caught (and stopped)
 * before the element's handler, so no request is made. Returns the submitted field names. */
async function enterSubmits(sel) {
  await page.evaluate((s) => {
    const el = document.querySelector(s);
    const root = el.dom === 'light' ? el : el.shadowRoot;
    window.__submits = [];
    root.addEventListener('submit', (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
      window.__submits.push([...ev.target.elements].map((x) => x.name).filter(Boolean));
    }, { capture: true, once: true });
  }, sel);
  const first = page.locator(`${sel} form input:not([hidden]):not([type=checkbox])`).first();
  await first.fill('123456');
  await first.press('Enter');
  return page.evaluate(() => window.__submits);
}

for (const dom of ['shadow', 'light']) {
  test(`dom=${dom}: every screen's inputs have their name and autocomplete, and Enter submits each form`, T, async () => {
    await open(dom === 'light' ? { dom } : {});
    for (const [name, data, inputs] of FORM_SCREENS) {
      const what = `${name} ${data.challenge?.name ?? ''}`;
      const r = await showAndRead('cognito-login', name, data);
      assert.deepEqual(r.inputs, inputs, what);
      assert.equal(r.forms, 1, what);
      assert.equal(r.submit, 1, `${what}: a submit button (implicit submission)`);
      // Light DOM: the document holds the form (a password manager's content script finds it);
      // shadow DOM: the document has no form and no password field.
      const passwords = inputs.filter((i) => i[2] === 'password').length;
      assert.deepEqual([r.documentForms, r.documentPasswordFields], dom === 'light' ? [1, passwords] : [0, 0], what);
      assert.deepEqual(await enterSubmits('cognito-login'), [inputs.map((i) => i[0])], `${what}: Enter submitted the form`);
    }
  });

  test(`dom=${dom}: Enter in the password field signs in for real, then the signed-in screen`, T, async () => {
    await open(dom === 'light' ? { dom } : {});
    await page.locator('cognito-login input[name=username]').fill(USERS.demo.username);
    await page.locator('cognito-login input[name=password]').fill(USERS.demo.password);
    await page.locator('cognito-login input[name=password]').press('Enter');
    await screen('signedIn');
    assert.equal(await page.locator('cognito-login [data-testid=signed-in-as]').textContent(), `Signed in as ${USERS.demo.email}`);
    assert.equal(await page.evaluate(() => !!document.querySelector('cognito-login').shadowRoot), dom === 'shadow');
  });
}

test('dom=light under the strict CSP: styled by an adopted sheet, no <style> element, no violation', T, async () => {
  const violations = [];
  page.on('console', (m) => { if (/content security policy|trusted ?type/i.test(m.text())) violations.push(m.text()); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`), true);
  });
  const resp = await page.goto(url({ dom: 'light', lang: 'fr' }, '/csp'));
  assert.match(resp.headers()['content-security-policy'], /style-src 'self';/);
  await screen('signIn');
  await titleIs('Connexion'); // the French dictionary, loaded with import() under script-src 'self'
  const look = await page.evaluate(() => {
    const b = document.querySelector('cognito-login button[type=submit]');
    const box = document.querySelector('cognito-login .box');
    return [getComputedStyle(b).backgroundColor, getComputedStyle(box).borderTopWidth, document.querySelectorAll('style').length,
      document.adoptedStyleSheets.length];
  });
  assert.deepEqual(look, ['rgb(26, 86, 176)', '1px', 0, 1]);
  await page.locator('cognito-login input[name=username]').fill(USERS.demo.username);
  await page.locator('cognito-login input[name=password]').fill(USERS.demo.password);
  await page.locator('cognito-login input[name=password]').press('Enter');
  await screen('signedIn');
  assert.equal(await page.locator('cognito-login [data-testid=signed-in-as]').textContent(), `Connecté en tant que ${USERS.demo.email}`);
  assert.deepEqual(await page.evaluate(() => new Promise((r) => setTimeout(() => r(window.__csp), 100))), []);
  assert.deepEqual(violations, []);
});

test('attribute changes: lang, mode, no-sign-up, dom and storage take effect on the live element', T, async () => {
  await open();
  const el = 'cognito-login';
  const set = (n, v) => page.evaluate(([a, b]) => {
    const x = document.querySelector('cognito-login');
    if (b === null) x.removeAttribute(a); else x.setAttribute(a, b);
  }, [n, v]);
  await set('lang', 'fr');
  await titleIs('Connexion');
  await set('lang', 'ja-JP');
  await titleIs('サインイン');
  await set('lang', 'xx');
  await titleIs('Sign in');

  await set('mode', 'hosted');
  await screen('hosted');
  await set('mode', null);
  await screen('signIn');
  assert.equal(await page.locator(`${el} [data-testid=to-sign-up]`).count(), 1);
  await set('no-sign-up', '');
  await page.waitForFunction(() => !document.querySelector('cognito-login').shadowRoot.querySelector('[data-testid=to-sign-up]'));

  // Shadow → light → shadow: the same screen, its form in the document only while light.
  await set('dom', 'light');
  await page.waitForFunction(() => document.forms.length === 1);
  assert.equal(await page.evaluate(() => document.querySelector('cognito-login > .box form input[name=username]') !== null), true);
  await set('dom', null);
  await page.waitForFunction(() => document.forms.length === 0);
  assert.equal(await page.evaluate(() => document.querySelector('cognito-login').shadowRoot.querySelectorAll('form').length), 1);

  // Sign in (storage=local), then storage=session: a new client reading sessionStorage (empty:
  // signed out), then back to local: signed in again from the stored session.
  await page.locator(`${el} input[name=username]`).fill(USERS.demo.username);
  await page.locator(`${el} input[name=password]`).fill(USERS.demo.password);
  await page.locator(`${el} input[name=password]`).press('Enter');
  await screen('signedIn');
  await set('storage', 'session');
  await screen('signIn');
  await set('storage', 'local');
  await screen('signedIn');
});

test('two elements on one page: own language, screens, strings, ids and session', T, async () => {
  await open();
  await page.evaluate(() => {
    const a = document.getElementById('login');
    const b = document.createElement('cognito-login');
    for (const n of ['user-pool-id', 'client-id', 'endpoint']) b.setAttribute(n, a.getAttribute(n));
    b.id = 'second';
    b.setAttribute('storage', 'session');
    b.setAttribute('dom', 'light');
    b.setAttribute('lang', 'de');
    a.after(b);
  });
  await screen('signIn', '#second');
  await titleIs('Anmelden', '#second');
  await titleIs('Sign in', '#login');
  // No id twice, in the document or the first element's shadow root (labels point at their own inputs).
  const ids = await page.evaluate(() => [...document.querySelectorAll('[id]'), ...document.getElementById('login').shadowRoot.querySelectorAll('[id]')].map((e) => e.id));
  assert.equal(new Set(ids).size, ids.length, ids.join(' '));
  const labelled = await page.evaluate(() => [...document.querySelectorAll('#second label[for]')].every((l) => l.control?.closest('#second')));
  assert.equal(labelled, true);

  await page.locator('#login [data-testid=to-forgot]').click();
  await screen('forgot', '#login');
  assert.equal(await page.getAttribute('#second', 'screen'), 'signIn');
  await page.evaluate(() => { document.getElementById('second').strings = { signInTitle: 'Willkommen' }; });
  await titleIs('Willkommen', '#second');
  await titleIs('Reset your password', '#login');
  // The override is merged with the German dictionary, not English.
  assert.equal(await page.locator('#second button[type=submit]').textContent(), 'Anmelden');

  await page.locator('#second input[name=username]').fill(USERS.demo.username);
  await page.locator('#second input[name=password]').fill(USERS.demo.password);
  await page.locator('#second input[name=password]').press('Enter');
  await screen('signedIn', '#second');
  assert.equal(await page.locator('#second [data-testid=signed-in-as]').textContent(), `Angemeldet als ${USERS.demo.email}`);
  // The first element (localStorage) is untouched: still on its own screen, no session there.
  assert.equal(await page.getAttribute('#login', 'screen'), 'forgot');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
});

test('every language: the dictionary has English\'s keys and placeholders; every screen renders from it', T, async () => {
  await open();
  const en = await page.evaluate(() => ({ ...document.createElement('cognito-login').strings }));
  const holes = (s) => (s.match(/\{\w+\}/g) ?? []).sort();
  const dicts = {};
  for (const lang of LANGS) {
    const d = (await import(path.join(ROOT, 'pkg', 'i18n', `${lang}.js`))).default;
    assert.deepEqual(Object.keys(d).sort(), Object.keys(en).sort(), `${lang}: the same keys as en`);
    for (const k of Object.keys(en)) {
      assert.deepEqual(holes(d[k]), holes(en[k]), `${lang}.${k}: the same placeholders`);
      assert.ok(d[k].trim(), `${lang}.${k} is not empty`);
    }
    dicts[lang] = d;
  }
  dicts.en = en;
  // The title key of each screen (for the known answer) besides the generic checks.
  const TITLES = { signIn: 'signInTitle', signUp: 'signUpTitle', confirm: 'confirmTitle', forgot: 'forgotTitle', reset: 'resetTitle',
    password: 'signInTitle', hosted: 'signInTitle', SMS_MFA: 'mfaTitle', EMAIL_OTP: 'mfaTitle', SOFTWARE_TOKEN_MFA: 'mfaTitle',
    MFA_SETUP: 'totpSetupTitle', NEW_PASSWORD_REQUIRED: 'resetTitle', CUSTOM_CHALLENGE: 'customTitle',
    SELECT_MFA_TYPE: 'selectMfaTitle', SELECT_CHALLENGE: 'selectChallengeTitle' };
  const keyNames = new Set(Object.keys(en));
  for (const lang of ['en', ...LANGS]) {
    await page.evaluate((l) => {
      const el = document.getElementById('login');
      el._show('signIn', {}, false); // the language re-draws the current screen: one with a title
      el.setAttribute('lang', l);
    }, lang);
    await titleIs(dicts[lang].signInTitle);
    for (const [name, data] of [...FORM_SCREENS, ...OTHER_SCREENS]) {
      const what = `${lang} ${name} ${data.challenge?.name ?? ''}`;
      const r = await page.evaluate(([n, d]) => {
        const el = document.getElementById('login');
        el._show(n, d, false);
        const root = el.shadowRoot.querySelector('[part=screen]');
        const texts = [];
        const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) if (walk.currentNode.textContent.trim()) texts.push(walk.currentNode.textContent.trim());
        return { title: root.querySelector('h2')?.textContent ?? null, texts };
      }, [name, data]);
      const titleKey = TITLES[data.challenge?.name ?? name];
      if (titleKey) assert.equal(r.title, dicts[lang][titleKey], what);
      for (const t of r.texts) {
        assert.ok(!keyNames.has(t) || Object.values(dicts[lang]).includes(t), `${what}: "${t}" is a key name, not a string`);
        assert.doesNotMatch(t, /\{\w+\}/, `${what}: an unfilled placeholder`);
      }
      // Outside English, no label/button falls back to an English text that the language changes.
      if (lang !== 'en') {
        const changed = new Set(Object.keys(en).filter((k) => dicts[lang][k] !== en[k]).map((k) => en[k]));
        const english = r.texts.filter((t) => changed.has(t) && !Object.values(dicts[lang]).includes(t));
        assert.deepEqual(english, [], `${what}: English left`);
      }
    }
  }
  // <html lang> chooses when the element has none (primary subtag of pt-BR).
  await page.evaluate(() => {
    document.documentElement.lang = 'pt-BR';
    const b = document.createElement('cognito-login');
    for (const n of ['user-pool-id', 'client-id', 'endpoint', 'storage']) b.setAttribute(n, document.getElementById('login').getAttribute(n));
    b.id = 'third';
    document.body.append(b);
  });
  await screen('signIn', '#third');
  await titleIs(dicts.pt.signInTitle, '#third');
});
