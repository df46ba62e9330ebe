// The drop-in demo: configures <cognito-login> from config.js (or the same query parameters
// as the raw API demo: ?endpoint=…&userPoolId=…&clientId=…&storage=…, plus mode=hosted,
// providers=Google,…, authFlow=CUSTOM_WITHOUT_SRP|…, dom=light and lang=fr|…), then loads the element. A static site
// would write the attributes in its HTML instead.
import defaults from './config.js';

const KEYS = ['endpoint', 'userPoolId', 'clientId', 'storage', 'domain', 'mode', 'providers', 'authFlow', 'dom', 'lang'];
const SAVED = 'cognito-wasm-demo.dropin';
const q = new URLSearchParams(location.search);
// Query overrides are remembered for this tab: the hosted UI comes back to the bare page URL
// (it must match a registered callback URL exactly).
let overrides = {};
if (KEYS.some((k) => q.has(k))) {
  for (const k of KEYS) if (q.has(k)) overrides[k] = q.get(k);
  try { sessionStorage.setItem(SAVED, JSON.stringify(overrides)); } catch { /* blocked */ }
} else {
  try { overrides = JSON.parse(sessionStorage.getItem(SAVED) ?? '{}') ?? {}; } catch { overrides = {}; }
}
const cfg = { ...defaults, ...overrides };
// The emulator serves its hosted UI on the same port as the API.
if (!cfg.domain && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(cfg.endpoint ?? '')) cfg.domain = cfg.endpoint.replace(/\/$/, '');
const login = document.getElementById('login');
const attrs = { 'user-pool-id': cfg.userPoolId, 'client-id': cfg.clientId, endpoint: cfg.endpoint, storage: cfg.storage,
  domain: cfg.domain, mode: cfg.mode, providers: cfg.providers, 'auth-flow': cfg.authFlow, dom: cfg.dom, lang: cfg.lang };
for (const [k, v] of Object.entries(attrs)) if (v) login.setAttribute(k, v);
login.setAttribute('remember-device', '');

const log = document.getElementById('events');
for (const type of ['cognito-signed-in', 'cognito-signed-out', 'cognito-error']) {
  document.addEventListener(type, (ev) => {
    const li = document.createElement('li');
    li.dataset.event = type;
    li.textContent = type + (ev.detail?.username ? ` (${ev.detail.username})` : '') + (ev.detail?.code ? ` (${ev.detail.code})` : '');
    log.append(li);
  });
}

document.getElementById('call').addEventListener('click', async () => {
  const { getAccessToken } = await import('/pkg/element.js');
  const token = await getAccessToken();
  const out = document.getElementById('token');
  const claims = token ? JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) : null;
  out.textContent = claims ? JSON.stringify({ username: claims.username, token_use: claims.token_use, client_id: claims.client_id }, null, 2) : 'signed out';
  out.hidden = false;
});

await import('/pkg/element.js');
