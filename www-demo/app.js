// cognito-wasm demo: plain ES modules, served as-is (no bundler).
import init, { CognitoAuth } from '/pkg/cognito_wasm.js';
import defaults from './config.js';
import { installAccount, handleSignIn, closePanel } from './account.js';
import { installPasskeys } from './passkeys.js';

const $ = (id) => document.getElementById(id);
const form = $('signin-form');
const session = $('session');
const errorBox = $('error');
const status = $('status');
const submit = $('signin-button');
const signOutButton = $('signout-button');

const CONFIG_KEYS = ['endpoint', 'userPoolId', 'clientId', 'storage', 'domain', 'redirectSignIn', 'redirectSignOut',
  'identityPoolId', 'identityEndpoint', 'apiUrl'];
const SAVED_CONFIG = 'cognito-wasm-demo.config';

function readConfig() {
  const q = new URLSearchParams(location.search);
  // Query overrides are remembered for this tab: the hosted UI redirects back to the bare
  // page URL (it must match a registered callback URL exactly).
  let overrides = {};
  if (CONFIG_KEYS.some((k) => q.has(k))) {
    for (const key of CONFIG_KEYS) if (q.has(key)) overrides[key] = q.get(key);
    try { sessionStorage.setItem(SAVED_CONFIG, JSON.stringify(overrides)); } catch { /* blocked */ }
  } else {
    try { overrides = JSON.parse(sessionStorage.getItem(SAVED_CONFIG) ?? '{}') ?? {}; } catch { overrides = {}; }
  }
  const cfg = { ...defaults, ...overrides };
  // An emulator endpoint given in the query also serves the identity pool and the API.
  if (overrides.endpoint && cfg.endpoint) {
    if (!overrides.identityEndpoint) cfg.identityEndpoint = cfg.endpoint;
    if (!overrides.apiUrl) cfg.apiUrl = `${cfg.endpoint}_protected/hello`;
  }
  if (!cfg.identityEndpoint) delete cfg.identityEndpoint;
  if (!cfg.endpoint) delete cfg.endpoint; // library default: real AWS
  // The emulator serves its hosted UI on the same port as the API.
  if (!cfg.domain && cfg.endpoint && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(cfg.endpoint)) {
    cfg.domain = cfg.endpoint.replace(/\/$/, '');
  }
  if (cfg.domain) {
    cfg.redirectSignIn ??= `${location.origin}/`;
    cfg.redirectSignOut ??= `${location.origin}/`;
  } else {
    delete cfg.domain;
  }
  return cfg;
}

function isCallback() {
  const p = new URLSearchParams(location.search);
  const h = new URLSearchParams(location.hash.slice(1));
  return p.has('code') || p.has('error') || h.has('code') || h.has('error');
}

function setState(state, text) {
  document.body.dataset.state = state;
  status.textContent = text;
}

function showError(err) {
  const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'UnexpectedError';
  const message = err && typeof err === 'object' && 'message' in err ? String(err.message) : String(err);
  errorBox.dataset.code = code;
  errorBox.textContent = '';
  const strong = document.createElement('strong');
  strong.className = 'code';
  strong.dataset.testid = 'error-code';
  strong.textContent = code;
  const msg = document.createElement('span');
  msg.className = 'message';
  msg.dataset.testid = 'error-message';
  msg.textContent = message;
  errorBox.append(strong, ': ', msg);
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
  delete errorBox.dataset.code;
}

function fmtTime(ms) {
  const d = new Date(ms);
  return `${d.toLocaleString()} (${d.toISOString()})`;
}

let auth;
let passkeys;

function showSignedOut() {
  closePanel();
  $('profile').hidden = true;
  passkeys?.reset();
  session.hidden = true;
  $('claims-body').textContent = '';
  $('verified').textContent = '';
  $('userinfo').textContent = '';
  form.hidden = false;
  $('hosted').hidden = !hostedEnabled;
  submit.disabled = false;
  setState('signed-out', 'Not signed in.');
  // Do the password-independent SRP work while the user types.
  auth?.prepareSignIn?.();
}

function showSession(s) {
  closePanel();
  const c = s.idTokenClaims ?? {};
  const rows = [
    ['username', 'Username', s.username],
    ['cognito:username', 'cognito:username', c['cognito:username']],
    ['email', 'Email', c.email],
    ['email_verified', 'Email verified', c.email_verified],
    ['sub', 'Subject (sub)', c.sub],
    ['expiresAt', 'Access token expires', Number.isFinite(s.expiresAt) ? fmtTime(s.expiresAt) : undefined],
    ['exp', 'ID token exp', Number.isFinite(c.exp) ? fmtTime(c.exp * 1000) : undefined],
  ];
  const body = $('claims-body');
  body.textContent = '';
  for (const [key, label, value] of rows) {
    if (value === undefined || value === null) continue;
    const tr = document.createElement('tr');
    tr.dataset.claim = key;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    const td = document.createElement('td');
    td.dataset.testid = `claim-${key}`;
    td.textContent = String(value);
    tr.append(th, td);
    body.append(tr);
  }
  $('session-username').textContent = s.username;
  form.hidden = true;
  $('hosted').hidden = true;
  $('signout-hosted-button').hidden = !hostedEnabled;
  session.hidden = false;
  setState('signed-in', `Signed in as ${s.username}.`);
}

let hostedEnabled = false;

// After a hosted-UI sign-in: the ID token's signature checked against the pool's JWKS, and
// the userInfo endpoint.
async function showVerified(auth, s) {
  try {
    const claims = await auth.verifyIdToken(s.idToken);
    $('verified').textContent = `ID token signature verified (kid checked against the JWKS) for ${claims['cognito:username']}`;
    $('verified').dataset.verified = 'true';
    const info = await auth.getUserInfo();
    $('userinfo').textContent = `userInfo: ${info.email ?? ''}`;
    $('userinfo').dataset.email = info.email ?? '';
  } catch (err) {
    showError(err);
  }
}

async function main() {
  const cfg = readConfig();
  hostedEnabled = Boolean(cfg.domain);
  $('config-endpoint').textContent = cfg.endpoint ?? '(default: AWS)';
  $('config-pool').textContent = cfg.userPoolId;
  $('config-client').textContent = cfg.clientId;

  try {
    await init();
    auth = new CognitoAuth(cfg);
    $('config-storage').textContent = auth.storageKind ?? cfg.storage ?? 'local';
  } catch (err) {
    showError(err);
    setState('error', 'Could not load cognito-wasm.');
    return;
  }
  window.cognitoDemo = { auth, config: cfg }; // handy in devtools
  installAccount({
    auth, showSession, showSignedOut, showError, clearError,
    status: (text) => { status.textContent = text; },
    refresh: async () => { const s = await auth.currentSession(); if (s) showSession(s); else showSignedOut(); },
  });
  passkeys = installPasskeys({ auth, CognitoAuth, handleSignIn, showError, clearError, status: (text) => { status.textContent = text; } });

  // "Call protected API": a SigV4-signed request with the identity pool's credentials
  // (the signed-in user's, or a guest's when nobody is signed in and the pool allows it).
  const apiButton = $('call-api');
  const apiResult = $('api-result');
  apiButton.hidden = !cfg.identityPoolId || !cfg.apiUrl;
  apiButton.addEventListener('click', async () => {
    clearError();
    apiButton.disabled = true;
    apiResult.hidden = true;
    try {
      const r = await auth.fetchSigned(cfg.apiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hello: 'from cognito-wasm' }),
      }, { service: 'execute-api' });
      const text = await r.text();
      apiResult.dataset.status = String(r.status);
      apiResult.dataset.errorType = r.headers.get('x-amzn-errortype') ?? '';
      apiResult.textContent = `HTTP ${r.status}\n${text}`;
      apiResult.hidden = false;
    } catch (err) {
      showError(err);
    } finally {
      apiButton.disabled = false;
    }
  });

  for (const [id, provider] of [['hosted-button', undefined], ['hosted-google-button', 'Google']]) {
    $(id).addEventListener('click', async () => {
      clearError();
      try {
        await auth.signInWithRedirect({ provider, state: 'demo-return-to-home' });
      } catch (err) {
        showError(err);
      }
    });
  }

  $('signout-hosted-button').addEventListener('click', async () => {
    clearError();
    try {
      await auth.signOut({ redirect: true });
    } catch (err) {
      showError(err);
    }
  });

  if (hostedEnabled && isCallback()) {
    setState('busy', 'Completing the hosted-UI sign-in…');
    try {
      const r = await auth.handleRedirectCallback();
      $('app-state').textContent = r.state ?? '';
      showSession(r.session);
      await showVerified(auth, r.session);
    } catch (err) {
      showError(err);
      // The page still shows whatever session is stored.
      const s = await auth.currentSession().catch(() => null);
      if (s) showSession(s); else showSignedOut();
    }
    return;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    submit.disabled = true;
    setState('busy', 'Signing in…');
    try {
      const r = await auth.signIn({ username: $('username').value.trim(), password: $('password').value });
      $('password').value = '';
      handleSignIn(r); // a session, or a challenge panel (MFA, new password, …)
    } catch (err) {
      showError(err);
      showSignedOut();
    }
  });

  signOutButton.addEventListener('click', async () => {
    clearError();
    signOutButton.disabled = true;
    try {
      await auth.signOut();
      showSignedOut();
    } catch (err) {
      showError(err);
    } finally {
      signOutButton.disabled = false;
    }
  });

  try {
    const s = await auth.currentSession();
    if (s) showSession(s);
    else showSignedOut();
  } catch (err) {
    showError(err);
    showSignedOut();
  }
}

main();
