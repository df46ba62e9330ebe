// cognito-wasm drop-in login: <cognito-login>, <cognito-signed-in>, <cognito-signed-out>,
// <cognito-user>, <cognito-sign-out>. Plain DOM code; every Cognito call goes through the
// core module (Rust/wasm), which is imported only when a <cognito-login> connects.
//   <script type="module" src="https://…/cognito-wasm/element.js"></script>
//   <cognito-login user-pool-id="us-east-1_AbC123" client-id="…"></cognito-login>

// English, built in; the other languages are one small module each (i18n/<lang>.js), loaded
// with import() only when an element shows that language.
const STRINGS = {
  loading: 'Loading…',
  signInTitle: 'Sign in',
  username: 'Username or email',
  password: 'Password',
  signIn: 'Sign in',
  rememberDevice: 'Remember this device',
  toSignUp: 'Create an account',
  toForgot: 'Forgot your password?',
  toSignIn: 'Back to sign in',
  signUpTitle: 'Create an account',
  newUsername: 'Username',
  email: 'Email',
  name: 'Name',
  signUp: 'Create account',
  confirmTitle: 'Confirm your account',
  code: 'Code',
  confirm: 'Confirm',
  resend: 'Send a new code',
  codeSent: 'We sent a code to {destination}.',
  forgotTitle: 'Reset your password',
  sendCode: 'Send code',
  resetTitle: 'Choose a new password',
  newPassword: 'New password',
  setPassword: 'Set password',
  passwordChanged: 'Your password was changed. Sign in with the new one.',
  confirmed: 'Your account is confirmed. Sign in.',
  mfaTitle: 'Verify it is you',
  mfaTotp: 'Enter the code from your authenticator app.',
  verify: 'Verify',
  selectMfaTitle: 'Choose how to verify',
  SMS_MFA: 'Text message',
  EMAIL_OTP: 'Email',
  SOFTWARE_TOKEN_MFA: 'Authenticator app',
  totpSetupTitle: 'Set up an authenticator app',
  totpSetupHelp: 'Scan this QR code with your authenticator app (or type in the key, or open the link on your phone), then enter the code it shows.',
  secretKey: 'Key',
  openInApp: 'Open in authenticator app',
  qrLabel: 'QR code for your authenticator app',
  customTitle: 'One more step',
  answer: 'Answer',
  signedInAs: 'Signed in as {user}',
  signOut: 'Sign out',
  hostedSignIn: 'Sign in',
  signInWith: 'Sign in with {provider}',
  errorGeneric: 'Something went wrong. Please try again.',
  errorNetworkError: 'Cannot reach the sign-in service. Check your connection and try again.',
  errorNotAuthorizedException: 'Incorrect username or password.',
  errorUserNotConfirmedException: 'This account is not confirmed yet.',
  errorCodeMismatchException: 'That code is not right. Check it and try again.',
  errorExpiredCodeException: 'That code has expired. Ask for a new one.',
  errorUsernameExistsException: 'That username is taken.',
  errorInvalidPasswordException: 'That password does not meet the requirements.',
  errorLimitExceededException: 'Too many attempts. Wait a moment and try again.',
  errorTooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  errorPasswordResetRequiredException: 'You need to reset your password.',
  errorEnableSoftwareTokenMFAException: 'That code is not right. Check it and try again.',
  errorWrongAnswer: 'That answer is not right. Try again.',
  passkeySignIn: 'Sign in with a passkey',
  otherWays: 'Other ways to sign in',
  selectChallengeTitle: 'Choose how to sign in',
  factorWEB_AUTHN: 'Use a passkey',
  factorEMAIL_OTP: 'Email me a code',
  factorSMS_OTP: 'Text me a code',
  factorPASSWORD: 'Use my password',
  createPasskey: 'Create a passkey',
  passkeyCreated: 'Passkey created. Next time you can sign in with it.',
  errorUsernameRequired: 'Enter your username first.',
  errorPasskeyCancelled: 'The passkey request was cancelled or timed out.',
  errorPasskeyNotSupported: 'This browser cannot use passkeys here.',
  errorPasskeyAlreadyRegistered: 'This device already has a passkey for your account.',
  errorPasskeyRpMismatch: 'Passkeys for this account do not work on this site.',
  errorPasskeyAborted: 'The passkey request was interrupted. Try again.',
  errorPasskeyFailed: 'The passkey did not work. Try again or use another way.',
};

const CSS = `
:host{display:block;min-height:var(--cognito-min-height,22rem);box-sizing:border-box;
 --_bg:var(--cognito-background,#fff);--_fg:var(--cognito-color,#1b1d22);--_muted:var(--cognito-muted,#4d535e);
 --_accent:var(--cognito-accent,#1a56b0);--_on-accent:var(--cognito-on-accent,#fff);
 --_border:var(--cognito-border,#8a919c);--_error:var(--cognito-error,#b3261e);
 font:var(--cognito-font,16px/1.5 system-ui,sans-serif);color:var(--_fg)}
@media (prefers-color-scheme:dark){:host{--_bg:var(--cognito-background,#1b1d22);--_fg:var(--cognito-color,#eceef2);
 --_muted:var(--cognito-muted,#b4bac4);--_accent:var(--cognito-accent,#8ab4ff);--_on-accent:var(--cognito-on-accent,#0b1a33);
 --_border:var(--cognito-border,#6b7280);--_error:var(--cognito-error,#ffb4ab)}}
:host([hidden]){display:none}
*{box-sizing:border-box}
.box{background:var(--_bg);border:1px solid var(--_border);border-radius:var(--cognito-radius,8px);padding:1.25rem;max-width:var(--cognito-max-width,24rem)}
h2{font-size:1.25rem;margin:0 0 .75rem}
p{margin:.5rem 0}
.help{color:var(--_muted)}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],input[type=email],input[type=tel]{display:block;width:100%;font:inherit;padding:.5rem .6rem;
 color:var(--_fg);background:var(--_bg);border:1px solid var(--_border);border-radius:calc(var(--cognito-radius,8px) / 2)}
input[hidden]{display:none}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
.check input{margin:0}
button{font:inherit;cursor:pointer;border-radius:calc(var(--cognito-radius,8px) / 2);padding:.55rem 1rem}
button.primary{display:block;width:100%;margin-top:1rem;background:var(--_accent);color:var(--_on-accent);border:1px solid var(--_accent);font-weight:600}
button.link{background:none;border:none;color:var(--_accent);text-decoration:underline;padding:.25rem 0;margin-right:1rem}
button.secondary{display:block;width:100%;margin-top:.5rem;background:var(--_bg);color:var(--_fg);border:1px solid var(--_border)}
button:focus-visible,input:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}
button[disabled]{opacity:.7;cursor:progress}
.links{margin-top:.75rem}
.error{color:var(--_error);font-weight:600}
.error:empty,.notice:empty{display:none}
code{word-break:break-all;font-size:.9em}
`;

/** The languages shipped in i18n/ (besides the built-in English). */
const LANGS = ['es', 'fr', 'de', 'pt', 'ja', 'zh'];
const dicts = new Map();
function loadStrings(lang) {
  if (!LANGS.includes(lang)) return Promise.resolve({});
  if (!dicts.has(lang)) dicts.set(lang, import(`./i18n/${lang}.js`).then((m) => m.default, (e) => { dicts.delete(lang); throw e; }));
  return dicts.get(lang);
}

/** Autofill names of the standard attributes NEW_PASSWORD_REQUIRED may ask for. */
const ATTR_AUTOCOMPLETE = { email: 'email', name: 'name', given_name: 'given-name', family_name: 'family-name',
  middle_name: 'additional-name', nickname: 'nickname', phone_number: 'tel', birthdate: 'bday', gender: 'sex',
  address: 'street-address', website: 'url', locale: 'language', zoneinfo: 'off', preferred_username: 'nickname', picture: 'photo', profile: 'url' };

const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');

// ---- state shared with the companions (one signed-in state per document)
let current = null; // { username, claims } or null; undefined while unknown
let known = false;
const watchers = new Set();
function publish(session) {
  current = session ? { username: session.username, claims: session.idTokenClaims ?? {} } : null;
  known = true;
  for (const w of watchers) w();
}
let activeLogin = null;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
}

// The styles as one constructed sheet shared by every <cognito-login> (adoptedStyleSheets):
// no <style> element, so a page's `style-src 'self'` (no 'unsafe-inline') lets them apply.
// Where constructed sheets are missing (Safari < 16.4), a <style> element instead.
// In light-DOM mode (dom="light") the same rules, scoped to `cognito-login[dom=light]`, go in a
// second sheet adopted by the document (once, beside the page's own adopted sheets).
let sheet;
let lightSheet;
function adoptStyles(root) {
  try {
    if (!sheet) { const s = new CSSStyleSheet(); s.replaceSync(CSS); sheet = s; }
    root.adoptedStyleSheets = [sheet];
  } catch { root.append(h('style', {}, CSS)); }
}
const LIGHT = 'cognito-login[dom=light]';
function scopeRules(rules) {
  let out = '';
  for (const r of rules) {
    if (r.selectorText !== undefined) {
      const sel = r.selectorText.split(',').map((x) => x.trim()).map((x) => (x.startsWith(':host(')
        ? LIGHT + x.slice(6, -1) : x === ':host' ? LIGHT : `${LIGHT} ${x}`)).join(',');
      out += `${sel}{${r.style.cssText}}`;
    } else if (r.media) out += `@media ${r.media.mediaText}{${scopeRules(r.cssRules)}}`;
  }
  return out;
}
function adoptLightStyles() {
  try {
    if (!lightSheet) {
      const base = new CSSStyleSheet();
      base.replaceSync(CSS);
      lightSheet = new CSSStyleSheet();
      lightSheet.replaceSync(scopeRules(base.cssRules));
    }
    if (!document.adoptedStyleSheets.includes(lightSheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, lightSheet];
  } catch {
    if (!document.getElementById('cognito-login-light-styles')) {
      const base = h('style', {}, CSS);
      document.head.append(base);
      const scoped = scopeRules(base.sheet?.cssRules ?? []);
      base.id = 'cognito-login-light-styles';
      base.textContent = scoped;
    }
  }
}
let uid = 0;

let coreLoad;
function loadCore() {
  coreLoad ??= import('./cognito_wasm.js').then(async (m) => { await m.default(); return m; });
  return coreLoad;
}

const BaseElement = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

/** Attributes whose change re-creates the client (and re-reads the stored session). */
const CONFIG_ATTRS = ['user-pool-id', 'client-id', 'endpoint', 'storage', 'domain', 'redirect-sign-in', 'redirect-sign-out'];
/** Attributes whose change re-draws the signed-out screen. */
const VIEW_ATTRS = ['mode', 'auth-flow', 'passkeys', 'remember-device', 'no-sign-up', 'providers'];

export class CognitoLoginElement extends BaseElement {
  static observedAttributes = ['lang', 'dom', ...CONFIG_ATTRS, ...VIEW_ATTRS];

  constructor() {
    super();
    this._uid = ++uid;
    this._overrides = {};
    this._dict = {};
    this._lang = 'en';
    this._strings = { ...STRINGS };
    this._screen = null;
    this._isIn = undefined;
    this.auth = null;
    this.ready = new Promise((resolve) => { this._resolveReady = resolve; });
  }

  /** Overrides for the UI strings (merged with the defaults); re-renders the current screen. */
  get strings() { return this._strings; }
  set strings(v) {
    this._overrides = { ...(v ?? {}) };
    this._merge();
  }

  /** The language shown: `lang` of the element or its closest ancestor (`<html lang>`), its
   * primary subtag (`pt-BR` → `pt`), when shipped; else `en`. */
  get language() {
    const l = (this.closest('[lang]')?.getAttribute('lang') ?? '').toLowerCase().split('-')[0];
    return LANGS.includes(l) ? l : 'en';
  }

  /** `dom` attribute: `'shadow'` (default) or `'light'` (the forms in the page's own DOM). */
  get dom() { return this.getAttribute('dom') === 'light' ? 'light' : 'shadow'; }

  _merge() {
    this._strings = { ...STRINGS, ...this._dict, ...this._overrides };
    if (this._screen) this._show(this._screen.name, this._screen.data, false);
  }

  /** Loads the dictionary of `language` (if it changed) and re-draws the current screen. */
  async _applyLang() {
    const lang = this.language;
    if (lang === this._lang) return;
    this._lang = lang;
    const dict = await loadStrings(lang).catch((e) => { this._fail(e); return {}; });
    if (this._lang !== lang) return;
    this._dict = dict;
    this._merge();
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this._box) return; // before the first connect: read then
    if (name === 'lang') this._applyLang();
    else if (name === 'dom') this._mount();
    else if (CONFIG_ATTRS.includes(name)) this._restart();
    else if (this._isIn === false && this._screen && ['signIn', 'hosted'].includes(this._screen.name)) {
      this._show(this.mode === 'hosted' ? 'hosted' : 'signIn', {}, false);
    }
  }

  /** Puts the box in the shadow root or, with dom="light", in the element itself. */
  _mount() {
    if (this.dom === 'light') {
      adoptLightStyles();
      this.shadowRoot?.replaceChildren(h('slot'));
      this.replaceChildren(this._box);
      this._root = this;
    } else {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      adoptStyles(root);
      if (this._box.parentNode === this) this.replaceChildren();
      root.replaceChildren(this._box);
      this._root = root;
    }
  }

  /** A configuration attribute changed: a new client for the new configuration (coalesced). */
  _restart() {
    if (this._restarting) return;
    this._restarting = true;
    queueMicrotask(async () => {
      await this._run;
      this._restarting = false;
      this._unsubscribe?.();
      try { this.auth?.free(); } catch { /* already freed */ }
      this.auth = null;
      this._isIn = undefined;
      this._clear();
      this._notify('');
      this.ready = new Promise((resolve) => { this._resolveReady = resolve; });
      this._run = this._start().catch((e) => this._fail(e));
    });
  }

  connectedCallback() {
    activeLogin = this;
    if (this._box) return;
    this._box = h('div', { class: 'box', part: 'container' });
    this._body = h('div', { part: 'screen' });
    this._notice = h('p', { class: 'notice help', part: 'notice', role: 'status', 'aria-live': 'polite', 'data-testid': 'notice' });
    this._error = h('p', { class: 'error', part: 'error', 'aria-live': 'assertive', 'data-testid': 'error' });
    this._box.append(this._body, this._error, this._notice);
    this._mount();
    this._body.append(h('p', { class: 'help' }, this._t('loading')));
    this._run = this._start().catch((e) => this._fail(e));
  }

  disconnectedCallback() {
    if (activeLogin === this) activeLogin = null;
  }

  _t(key, vars) { return fill(this._strings[key] ?? key, vars ?? {}); }

  _config() {
    const a = (n) => this.getAttribute(n) ?? undefined;
    const cfg = { userPoolId: a('user-pool-id'), clientId: a('client-id') };
    const opt = { endpoint: 'endpoint', domain: 'domain', redirectSignIn: 'redirect-sign-in',
      redirectSignOut: 'redirect-sign-out', storage: 'storage' };
    for (const [k, n] of Object.entries(opt)) if (a(n)) cfg[k] = a(n);
    const here = location.origin + location.pathname;
    if (cfg.domain) { cfg.redirectSignIn ??= here; cfg.redirectSignOut ??= here; }
    return cfg;
  }

  get _passkeys() { return this.hasAttribute('passkeys') && !!this._core?.CognitoAuth.isPasskeySupported(); }

  get mode() { return this.getAttribute('mode') === 'hosted' ? 'hosted' : 'form'; }

  /** `auth-flow`: USER_SRP_AUTH (default), USER_PASSWORD_AUTH, CUSTOM_WITH_SRP, CUSTOM_WITHOUT_SRP. */
  get authFlow() {
    const f = this.getAttribute('auth-flow');
    return ['USER_PASSWORD_AUTH', 'CUSTOM_WITH_SRP', 'CUSTOM_WITHOUT_SRP'].includes(f) ? f : 'USER_SRP_AUTH';
  }

  async _start() {
    const [core] = await Promise.all([loadCore(), this._applyLang()]);
    this._core = core;
    this.auth = new core.CognitoAuth(this._config());
    this._unsubscribe = this.auth.onAuthStateChange((ev) => {
      if (ev.type === 'signedIn' || ev.type === 'tokenRefreshed') this._setSession(ev.session);
      else if (ev.type === 'signedOut' || ev.type === 'sessionExpired') this._setSession(null);
    });
    let session = null;
    const q = new URLSearchParams(location.search);
    const hash = new URLSearchParams(location.hash.slice(1));
    if (this._config().domain && (q.has('code') || q.has('error') || hash.has('code') || hash.has('error'))) {
      try { session = (await this.auth.handleRedirectCallback()).session; } catch (e) { this._fail(e); }
    }
    session ??= await this.auth.currentSession().catch(() => null);
    this._resolveReady();
    this._setSession(session, true);
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
  }

  _setSession(session, initial) {
    const signedIn = !!session;
    publish(session);
    if (signedIn && this._isIn === true) return; // a refresh: nothing to show
    if (signedIn) this._show('signedIn', { session }, !initial);
    else if (this._isIn !== false || initial) this._show(this.mode === 'hosted' ? 'hosted' : 'signIn', {}, !initial);
    if (this._isIn === signedIn) return;
    this._isIn = signedIn;
    this._emit(signedIn ? 'cognito-signed-in' : 'cognito-signed-out',
      signedIn ? { username: session.username, claims: session.idTokenClaims } : {});
  }

  _fail(e) {
    const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : 'UnexpectedError';
    const text = this._strings[`error${code}`] ?? (e && e.message) ?? this._t('errorGeneric');
    this._error.dataset.code = code;
    this._error.textContent = text;
    this._emit('cognito-error', { code, message: text, error: e });
  }

  _clear() {
    this._error.textContent = '';
    delete this._error.dataset.code;
  }

  /** The current access token (refreshed when close to expiry), or null when signed out. */
  async getAccessToken() {
    await this.ready;
    const s = await this.auth.currentSession();
    return s ? s.accessToken : null;
  }

  /** The current session (see the core API's `currentSession`). */
  async getSession() {
    await this.ready;
    return this.auth.currentSession();
  }

  /** Signs out (revokes the refresh token) and shows the sign-in screen; in hosted mode also
   * ends the hosted UI's session (`redirect: true`, back to `redirect-sign-out`). */
  async signOut(options) {
    await this.ready;
    const r = await this.auth.signOut({ redirect: this.mode === 'hosted' && !!this._config().domain, ...options });
    this._setSession(null);
    return r;
  }

  // ---- screens
  _show(name, data = {}, focus = true) {
    this._screen = { name, data };
    const body = this._body;
    body.textContent = '';
    body.dataset.screen = name;
    this.setAttribute('screen', name);
    if (data.challenge) this.setAttribute('challenge', data.challenge.name); else this.removeAttribute('challenge');
    const s = this['_' + name]?.call(this, data) ?? [];
    body.append(...s);
    if (focus) {
      const first = body.querySelector('input:not([type=checkbox]):not([hidden])') ?? body.querySelector('button, a[href]');
      if (first) first.focus();
    }
  }

  _form(title, fields, submitLabel, onSubmit, extra = [], links = []) {
    const id = (n) => `cognito-${this._uid}-${n}`;
    const form = h('form', { part: 'form', novalidate: true });
    form.append(h('h2', { part: 'title' }, title), ...extra.filter(Boolean));
    for (const f of fields) {
      if (f.type === 'hidden') {
        // The account a password belongs to, for password managers (not shown, not focused).
        if (f.value) form.append(h('input', { type: 'text', name: f.name, autocomplete: 'username', value: f.value, hidden: true, readonly: true, tabindex: '-1' }));
        continue;
      }
      if (f.type === 'checkbox') {
        form.append(h('label', { class: 'check', part: 'label' },
          h('input', { type: 'checkbox', name: f.name, id: id(f.name), part: 'checkbox', checked: f.value }), f.label));
        continue;
      }
      form.append(h('label', { for: id(f.name), part: 'label' }, f.label),
        h('input', { id: id(f.name), name: f.name, type: f.type ?? 'text', part: 'input', required: true,
          autocomplete: f.autocomplete ?? 'off', value: f.value, inputmode: f.inputmode,
          autocapitalize: 'none', spellcheck: 'false', 'data-testid': `field-${f.name}` }));
    }
    const submit = h('button', { type: 'submit', class: 'primary', part: 'button', 'data-testid': 'submit' }, submitLabel);
    form.append(submit);
    if (links.length) form.append(h('p', { class: 'links' }, ...links));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      for (const el of form.elements) if (el.name) values[el.name] = el.type === 'checkbox' ? el.checked : el.value;
      this._clear();
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      let failed = false;
      try { await onSubmit(values); } catch (e) { failed = true; this._fail(e); } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
      // After an error the field to correct gets the focus back, its text selected.
      const retry = failed && form.isConnected && form.querySelector(`[name="${fields.find((f) => f.retry)?.name}"]`);
      if (retry) { retry.focus(); retry.select(); }
    });
    return [form];
  }

  _link(label, screen, data, testid) {
    return h('button', { type: 'button', class: 'link', part: 'link', 'data-testid': testid,
      onclick: () => { this._clear(); this._notice.textContent = ''; this._show(screen, data ?? {}); } }, label);
  }

  _notify(text) { this._notice.textContent = text; }

  async _afterSignIn(r, extra = {}) {
    if (r.type === 'signedIn') {
      // A new device: remember it unless the pool already did. No `newDevice`: this browser's
      // device was already known (or the pool does not track devices: then nothing to do).
      if (extra.remember && r.newDevice !== null && !r.newDevice?.remembered) {
        await this.auth.rememberDevice().catch((e) => { if (r.newDevice) this._fail(e); });
      }
      this._notify('');
      this._setSession(r.session);
      return;
    }
    // The same custom challenge again (same public parameters): the answer was wrong.
    const prev = this._screen?.name === 'challenge' && this._screen.data.challenge;
    if (r.name === 'CUSTOM_CHALLENGE' && prev?.name === r.name && JSON.stringify(prev.parameters) === JSON.stringify(r.parameters)) {
      this._screen.data.challenge = r;
      throw Object.assign(new Error(this._t('errorWrongAnswer')), { name: 'WrongAnswer', code: 'WrongAnswer' });
    }
    this._show('challenge', { challenge: r, remember: extra.remember });
  }

  _signIn({ username } = {}) {
    const flow = this.authFlow;
    const passwordless = flow === 'CUSTOM_WITHOUT_SRP';
    if (this.auth && flow === 'USER_SRP_AUTH') try { this.auth.prepareSignIn(); } catch { /* optional */ }
    const fields = [{ name: 'username', label: this._t('username'), autocomplete: 'username', value: username, retry: passwordless }];
    if (!passwordless) fields.push({ name: 'password', label: this._t('password'), type: 'password', autocomplete: 'current-password', retry: true });
    if (this.hasAttribute('remember-device')) fields.push({ name: 'remember', label: this._t('rememberDevice'), type: 'checkbox' });
    const links = [];
    if (!this.hasAttribute('no-sign-up')) links.push(this._link(this._t('toSignUp'), 'signUp', {}, 'to-sign-up'));
    if (!passwordless) links.push(this._link(this._t('toForgot'), 'forgot', {}, 'to-forgot'));
    const form = this._form(this._t('signInTitle'), fields, this._t('signIn'), async (v) => {
      this._notify('');
      try {
        const input = { username: v.username.trim() };
        if (!passwordless) input.password = v.password;
        if (flow.startsWith('CUSTOM_')) input.authFlow = 'CUSTOM_AUTH';
        else if (flow === 'USER_PASSWORD_AUTH') input.authFlow = flow;
        const r = await this.auth.signIn(input);
        await this._afterSignIn(r, { remember: v.remember });
      } catch (e) {
        if (e && e.code === 'UserNotConfirmedException') {
          await this.auth.resendSignUpCode({ username: v.username.trim() }).catch(() => {});
          this._show('confirm', { username: v.username.trim() });
        }
        throw e;
      }
    }, [], links);
    if (this._passkeys && !passwordless) {
      // USER_AUTH from the username alone: the passkey ceremony, or Cognito's list of factors.
      const user = () => {
        const u = form[0].elements.username;
        if (u.value.trim()) return u.value.trim();
        u.focus();
        throw { code: 'UsernameRequired' };
      };
      const go = async (input) => this._afterSignIn(await this.auth.signIn(input));
      form[0].querySelector('[type=submit]').after(
        this._button('passkeySignIn', () => go({ username: user(), preferredChallenge: 'WEB_AUTHN' }), { 'data-testid': 'passkey-sign-in' }),
        this._button('otherWays', () => go({ username: user() }), { 'data-testid': 'other-ways' }));
    }
    return form;
  }

  _signUp() {
    return this._form(this._t('signUpTitle'), [
      { name: 'username', label: this._t('newUsername'), autocomplete: 'username' },
      { name: 'email', label: this._t('email'), type: 'email', autocomplete: 'email' },
      { name: 'password', label: this._t('password'), type: 'password', autocomplete: 'new-password' },
    ], this._t('signUp'), async (v) => {
      const username = v.username.trim();
      const r = await this.auth.signUp({ username, password: v.password, attributes: { email: v.email.trim() }, autoSignIn: true });
      if (r.userConfirmed) { this._show('signIn', { username }); this._notify(this._t('confirmed')); return; }
      this._show('confirm', { username, delivery: r.codeDelivery });
    }, [], [this._link(this._t('toSignIn'), 'signIn', {}, 'to-sign-in')]);
  }

  _confirm({ username, delivery }) {
    const resend = h('button', { type: 'button', class: 'link', part: 'link', 'data-testid': 'resend', onclick: async () => {
      this._clear();
      try {
        const r = await this.auth.resendSignUpCode({ username });
        this._notify(this._t('codeSent', { destination: r.codeDelivery?.destination ?? '' }));
      } catch (e) { this._fail(e); }
    } }, this._t('resend'));
    const help = delivery?.destination ? h('p', { class: 'help' }, this._t('codeSent', { destination: delivery.destination })) : null;
    return this._form(this._t('confirmTitle'), [
      { name: 'code', label: this._t('code'), autocomplete: 'one-time-code', inputmode: 'numeric', retry: true },
    ], this._t('confirm'), async (v) => {
      const r = await this.auth.confirmSignUp({ username, code: v.code.trim() });
      if (r.type === 'confirmed') { this._show('signIn', { username }); this._notify(this._t('confirmed')); return; }
      await this._afterSignIn(r);
    }, [help], [resend, this._link(this._t('toSignIn'), 'signIn', { username }, 'to-sign-in')]);
  }

  _forgot() {
    return this._form(this._t('forgotTitle'), [
      { name: 'username', label: this._t('username'), autocomplete: 'username' },
    ], this._t('sendCode'), async (v) => {
      const username = v.username.trim();
      const r = await this.auth.forgotPassword({ username });
      this._show('reset', { username, delivery: r.codeDelivery });
    }, [], [this._link(this._t('toSignIn'), 'signIn', {}, 'to-sign-in')]);
  }

  _reset({ username, delivery }) {
    const help = delivery?.destination ? h('p', { class: 'help' }, this._t('codeSent', { destination: delivery.destination })) : null;
    return this._form(this._t('resetTitle'), [
      { name: 'username', type: 'hidden', value: username },
      { name: 'code', label: this._t('code'), autocomplete: 'one-time-code', inputmode: 'numeric', retry: true },
      { name: 'newPassword', label: this._t('newPassword'), type: 'password', autocomplete: 'new-password' },
    ], this._t('setPassword'), async (v) => {
      await this.auth.confirmForgotPassword({ username, code: v.code.trim(), newPassword: v.newPassword });
      this._show('signIn', { username });
      this._notify(this._t('passwordChanged'));
    }, [help], [this._link(this._t('toSignIn'), 'signIn', { username }, 'to-sign-in')]);
  }

  _challenge({ challenge: c, remember }) {
    const answer = async (a) => this._afterSignIn(await this.auth.respondToChallenge(a), { remember });
    const back = [this._link(this._t('toSignIn'), 'signIn', {}, 'to-sign-in')];
    const codeField = [{ name: 'code', label: this._t('code'), autocomplete: 'one-time-code', inputmode: 'numeric', retry: true }];
    switch (c.name) {
      case 'NEW_PASSWORD_REQUIRED':
        return this._form(this._t('resetTitle'), [
          { name: 'username', type: 'hidden', value: c.username },
          { name: 'newPassword', label: this._t('newPassword'), type: 'password', autocomplete: 'new-password' },
          ...c.requiredAttributes.map((n) => ({ name: `attr_${n}`, label: this._strings[n] ?? n, value: c.userAttributes[n],
            autocomplete: ATTR_AUTOCOMPLETE[n], type: n === 'email' ? 'email' : n === 'phone_number' ? 'tel' : undefined })),
        ], this._t('setPassword'), (v) => {
          const attributes = {};
          for (const n of c.requiredAttributes) attributes[n] = v[`attr_${n}`];
          return answer({ newPassword: v.newPassword, attributes });
        }, [], back);
      case 'SMS_MFA':
      case 'EMAIL_OTP':
      case 'SMS_OTP':
      case 'SOFTWARE_TOKEN_MFA': {
        const dest = c.codeDelivery?.destination;
        const help = h('p', { class: 'help' }, c.name === 'SOFTWARE_TOKEN_MFA' || !dest ? this._t('mfaTotp') : this._t('codeSent', { destination: dest }));
        return this._form(this._t('mfaTitle'), codeField, this._t('verify'), (v) => answer({ code: v.code.trim() }), [help], back);
      }
      case 'SELECT_MFA_TYPE': {
        const choices = c.allowedMfaTypes.map((t) => h('button', { type: 'button', class: 'secondary', part: 'button',
          'data-mfa-type': t, onclick: () => {
            this._clear();
            for (const b of choices) b.disabled = true;
            answer({ mfaType: t }).catch((e) => this._fail(e)).finally(() => { for (const b of choices) b.disabled = false; });
          } }, this._t(t)));
        return [h('h2', { part: 'title' }, this._t('selectMfaTitle')), ...choices, h('p', { class: 'links' }, ...back)];
      }
      case 'SELECT_CHALLENGE': {
        // One button per factor (PASSWORD and PASSWORD_SRP are one: "Password").
        const offered = c.availableChallenges.filter((t) => t !== 'PASSWORD' || !c.availableChallenges.includes('PASSWORD_SRP'));
        const choices = offered.map((t) => this._button(t === 'PASSWORD_SRP' ? 'factorPASSWORD' : 'factor' + t, () => (t.startsWith('PASSWORD')
          ? this._show('password', { username: c.username, challenge: c, remember }) : answer({ answer: t })), { 'data-challenge': t }));
        return [h('h2', { part: 'title' }, this._t('selectChallengeTitle')), ...choices, h('p', { class: 'links' }, ...back)];
      }
      case 'MFA_SETUP': {
        if (!c.secretCode) break;
        const extra = [h('p', { class: 'help' }, this._t('totpSetupHelp')),
          this._qr(c.totpUri),
          h('p', {}, `${this._t('secretKey')}: `, h('code', { 'data-testid': 'totp-secret', part: 'secret' }, c.secretCode)),
          h('p', {}, h('a', { href: c.totpUri, part: 'link', 'data-testid': 'totp-uri' }, this._t('openInApp')))];
        return this._form(this._t('totpSetupTitle'), codeField, this._t('verify'), (v) => answer({ code: v.code.trim() }), extra, back);
      }
      case 'CUSTOM_CHALLENGE':
        return this._form(this._t('customTitle'), [{ name: 'answer', label: c.parameters.question ?? this._t('answer'), retry: true }],
          this._t('verify'), (v) => answer({ answer: v.answer }), [], back);
      default:
    }
    this._fail({ code: 'UnsupportedChallenge', message: c.name });
    return back;
  }

  /** SELECT_CHALLENGE answered with a password. A wrong one ends Cognito's session: the next
   * try is a new sign-in with that factor. */
  _password({ username, challenge: c, remember }) {
    let first = true;
    return this._form(this._t('signInTitle'), [
      { name: 'username', type: 'hidden', value: username },
      { name: 'password', label: this._t('password'), type: 'password', autocomplete: 'current-password', retry: true },
    ], this._t('signIn'), async (v) => {
      const again = !first;
      first = false;
      const r = again ? await this.auth.signIn({ username, password: v.password,
        preferredChallenge: c.availableChallenges.includes('PASSWORD_SRP') ? 'PASSWORD_SRP' : 'PASSWORD' })
        : await this.auth.respondToChallenge({ password: v.password });
      await this._afterSignIn(r, { remember });
    }, [h('p', { class: 'help' }, username)], [this._link(this._t('toSignIn'), 'signIn', { username }, 'to-sign-in')]);
  }

  /** A secondary button running `run` (buttons disabled meanwhile, errors announced). */
  _button(key, run, attrs = {}) {
    const b = h('button', { type: 'button', class: 'secondary', part: 'button', ...attrs, onclick: async () => {
      this._clear();
      this._notify('');
      const all = [...this._body.querySelectorAll('button')];
      for (const x of all) x.disabled = true;
      try { await run(); } catch (e) { this._fail(e); } finally { for (const x of all) x.disabled = false; }
    } }, this._t(key));
    return b;
  }

  /** The otpauth:// URI as a QR code, drawn locally (qr.js is loaded on first use) with DOM
   * calls: no innerHTML anywhere, so the element works under Trusted Types. */
  _qr(uri) {
    const box = h('div', { part: 'qr', 'data-testid': 'totp-qr' });
    import('./qr.js').then(({ qrNode }) => { box.append(qrNode(uri, this._t('qrLabel'))); })
      .catch((e) => this._fail(e));
    return box;
  }

  _signedIn({ session }) {
    const user = session.idTokenClaims?.email ?? session.username;
    return [h('p', { part: 'signed-in', 'data-testid': 'signed-in-as' }, this._t('signedInAs', { user })),
      h('button', { type: 'button', class: 'secondary', part: 'button', 'data-testid': 'sign-out',
        onclick: () => this.signOut().catch((e) => this._fail(e)) }, this._t('signOut')),
      this._passkeys ? this._button('createPasskey', async () => {
        await this.auth.registerPasskey();
        this._notify(this._t('passkeyCreated'));
      }, { 'data-testid': 'create-passkey' }) : ''];
  }

  _hosted() {
    // The hosted UI in the element's language, as written (`pt-BR`: Cognito's own codes have regions).
    const lang = this.closest('[lang]')?.getAttribute('lang')?.trim() || undefined;
    const go = (provider) => () => { this._clear(); this.auth.signInWithRedirect({ provider, lang }).catch((e) => this._fail(e)); };
    const providers = (this.getAttribute('providers') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    return [h('h2', { part: 'title' }, this._t('signInTitle')),
      h('button', { type: 'button', class: 'primary', part: 'button', 'data-testid': 'hosted-sign-in', onclick: go() }, this._t('hostedSignIn')),
      ...providers.map((p) => h('button', { type: 'button', class: 'secondary', part: 'button provider',
        'data-provider': p, onclick: go(p) }, this._t('signInWith', { provider: p })))];
  }
}

/** Shown only while signed in (hidden until the state is known). */
class Visibility extends BaseElement {
  connectedCallback() {
    this._w = () => { this.hidden = !known || (!!current) !== this.constructor.whenSignedIn; };
    watchers.add(this._w);
    this._w();
  }
  disconnectedCallback() { watchers.delete(this._w); }
}
export class CognitoSignedInElement extends Visibility { static whenSignedIn = true; }
export class CognitoSignedOutElement extends Visibility { static whenSignedIn = false; }

/** Text of a claim of the signed-in user's ID token (`field`, default `email`; `username` too). */
export class CognitoUserElement extends BaseElement {
  static observedAttributes = ['field'];
  connectedCallback() {
    this._w = () => {
      const f = this.getAttribute('field') ?? 'email';
      const v = !current ? '' : f === 'username' ? current.username : current.claims[f] ?? '';
      this.textContent = String(v);
    };
    watchers.add(this._w);
    this._w();
  }
  attributeChangedCallback() { this._w?.(); }
  disconnectedCallback() { watchers.delete(this._w); }
}

/** A sign-out button for the page's <cognito-login> (`global` attribute: GlobalSignOut). */
export class CognitoSignOutElement extends BaseElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const b = h('button', { type: 'button', part: 'button' }, h('slot', {}, STRINGS.signOut));
    b.addEventListener('click', () => activeLogin?.signOut({ global: this.hasAttribute('global') })
      .catch((e) => activeLogin?._fail(e)));
    root.append(b);
  }
}

/** The access token of the page's <cognito-login>, or null (signed out / no element). */
export function getAccessToken() {
  return activeLogin ? activeLogin.getAccessToken() : Promise.resolve(null);
}

if (typeof customElements !== 'undefined') {
  const defs = { 'cognito-login': CognitoLoginElement, 'cognito-signed-in': CognitoSignedInElement,
    'cognito-signed-out': CognitoSignedOutElement, 'cognito-user': CognitoUserElement, 'cognito-sign-out': CognitoSignOutElement };
  for (const [n, c] of Object.entries(defs)) if (!customElements.get(n)) customElements.define(n, c);
}
