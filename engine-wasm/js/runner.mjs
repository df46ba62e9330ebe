// @ts-check
// The runner: executes the engine's effects with Web APIs and forwards API calls to it.
// It holds no policy: every decision (when to refresh, who refreshes, retries, what is
// stored where, which revocation sign-out uses, what an input must look like) is made by the
// Rust engine, which this module reaches through a synchronous, raw wasm boundary (no
// wasm-bindgen glue). Wire format: engine-wasm/src/wire.rs.

const US = '\x1f', RS = '\x1e', NUL = '\0';
const enc = new TextEncoder(), dec = new TextDecoder();

/** @type {any} */ let ex;

/** @param {any} m */
const unwrap = (m) => (m && typeof m === 'object' && 'module_or_path' in m ? m.module_or_path : m && typeof m === 'object' && 'module' in m ? m.module : m);

/**
 * Loads the engine (once per page): a URL (default: engine.wasm beside this module), a
 * Response, bytes or a compiled WebAssembly.Module.
 * @param {any} [input]
 */
async function init(input) {
  if (ex) return ex;
  let src = await unwrap(input);
  if (src instanceof WebAssembly.Module) return initSync(src);
  if (src === undefined || typeof src === 'string' || src instanceof URL) src = fetch(src ?? new URL('cognito_wasm_bg.wasm', import.meta.url));
  if (src instanceof Response || src instanceof Promise) {
    const r = await src;
    const i = await (r.headers.get('content-type')?.startsWith('application/wasm')
      ? WebAssembly.instantiateStreaming(r, {}) : r.arrayBuffer().then((/** @type {ArrayBuffer} */ b) => WebAssembly.instantiate(b, {})));
    ex = i.instance.exports;
  } else ex = (await WebAssembly.instantiate(src, {})).instance.exports;
  return ex;
}
export default init;

/** Instantiates synchronously from bytes or a compiled module. @param {any} m */
export function initSync(m) {
  if (ex) return ex;
  const src = unwrap(m);
  const mod = src instanceof WebAssembly.Module ? src : new WebAssembly.Module(src);
  ex = new WebAssembly.Instance(mod, {}).exports;
  return ex;
}

/** Writes 64 random bytes and `text` into the engine's buffer, runs `fn`, returns its output. */
function call(/** @type {string} */ fn, /** @type {string} */ text, /** @type {number[]} */ ...args) {
  const bytes = enc.encode(text), n = 64 + bytes.length;
  const at = ex.buf(n); // may grow the memory: take `buffer` after it
  const mem = new Uint8Array(ex.memory.buffer, at, n);
  crypto.getRandomValues(mem.subarray(0, 64));
  mem.set(bytes, 64);
  const len = ex[fn](...args);
  return dec.decode(new Uint8Array(ex.memory.buffer, ex.out_ptr(), len));
}

const opt = (/** @type {string} */ v) => (v === NUL ? null : v);

/** @param {string[]} f @param {number} i */
function session(f, i) {
  return {
    username: f[i], idToken: f[i + 1], accessToken: f[i + 2], refreshToken: opt(f[i + 3]),
    expiresAt: +f[i + 4], clockDrift: +f[i + 5],
    idTokenClaims: JSON.parse(f[i + 6]), accessTokenClaims: JSON.parse(f[i + 7]),
  };
}

/** @param {string[]} f @param {number} i */
function error(f, i) {
  const e = /** @type {Error & {code: string, status?: number, retryable: boolean}} */ (new Error(opt(f[i + 3]) ?? f[i]));
  e.name = e.code = f[i];
  if (f[i + 1] !== NUL) e.status = +f[i + 1];
  e.retryable = f[i + 2] === '1';
  return e;
}

/** A JSON result's `{"$error": [code, status, retryable, message]}` (an error inside a result, e.g. `autoSignInError`) becomes an Error. @param {string} _k @param {any} v */
const revive = (_k, v) => (v && typeof v === 'object' && Array.isArray(v.$error) && Object.keys(v).length === 1 ? error(v.$error, 0) : v);

/** @param {Storage} s */
function probed(s) { s.setItem('cognito-wasm.probe', '1'); s.removeItem('cognito-wasm.probe'); return s; }

/** Opens storage by kind, probing it; null when it is unusable. */
function openStorage(/** @type {string} */ kind, /** @type {any} */ custom, /** @type {string} */ attrs) {
  try {
    if (kind === 'custom') return custom;
    if (kind === 'cookie') {
      const get = (/** @type {string} */ k) => {
        const n = encodeURIComponent(k) + '=';
        const c = document.cookie.split('; ').find((p) => p.startsWith(n));
        return c ? decodeURIComponent(c.slice(n.length)) : null;
      };
      const s = {
        getItem: get,
        setItem(/** @type {string} */ k, /** @type {string} */ v) {
          document.cookie = encodeURIComponent(k) + '=' + encodeURIComponent(v) + attrs;
          if (get(k) !== v) throw new Error('cookie not stored');
        },
        removeItem(/** @type {string} */ k) { document.cookie = encodeURIComponent(k) + '=' + attrs + '; Max-Age=0'; },
      };
      s.setItem('cognito-wasm.probe', '1'); s.removeItem('cognito-wasm.probe');
      return s;
    }
    return probed(kind === 'session' ? sessionStorage : localStorage);
  } catch { return null; }
}

/**
 * This tab's own storage: sessionStorage where it can be read (a write that throws later is
 * the engine's to handle: it keeps the tab's state in memory from then on), else a Map.
 */
function tabStorage() {
  try { sessionStorage.getItem('cognito-wasm.probe'); return sessionStorage; } catch {
    const m = new Map();
    return { getItem: (/** @type {string} */ k) => m.get(k) ?? null, setItem: (/** @type {string} */ k, /** @type {string} */ v) => void m.set(k, v), removeItem: (/** @type {string} */ k) => void m.delete(k) };
  }
}

/** @param {string} s base64url @returns {ArrayBuffer} */
function bytes(s) {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return u.buffer;
}

/** Standard base64 of bytes. @param {Uint8Array} u */
function b64(u) {
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
}

/** ArrayBuffer or view → base64url without padding; undefined for anything else. @param {any} v */
function b64u(v) {
  if (!(v instanceof ArrayBuffer) && !ArrayBuffer.isView(v)) return undefined;
  const u = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return b64(u).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * What the engine's signer reads of `{ url, method, headers, body }`: the URL as the
 * browser resolves it (null when it is none), headers as pairs, the body's bytes in base64
 * (`false` for a body of another type). The engine validates it all.
 * @param {any} d
 */
function described(d) {
  if (!d || typeof d !== 'object') return d;
  const b = d.body;
  /** @type {string | boolean | null} */ let body = null;
  if (typeof b === 'string') body = b64(enc.encode(b));
  else if (b instanceof ArrayBuffer) body = b64(new Uint8Array(b));
  else if (ArrayBuffer.isView(b)) body = b64(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  else if (b != null) body = false;
  /** @type {string | null} */ let href = null;
  if (typeof d.url === 'string') try { href = new Request(d.url).url; } catch { /* not a URL */ }
  const h = d.headers;
  return { url: d.url, href, method: d.method, headers: typeof Headers === 'function' && h instanceof Headers ? [...h] : h, body };
}

/** The same of a `Request` (its body read from a clone). @param {Request} r */
async function describedRequest(r) {
  /** @type {Record<string, any>} */ const d = { url: r.url, href: r.url, method: r.method, headers: [...r.headers] };
  /** @type {Request | null} */ let copy = null;
  try { copy = r.clone(); } catch { d.bodyError = 'used'; }
  if (copy) try { d.body = b64(new Uint8Array(await copy.arrayBuffer())); } catch { d.bodyError = 'unreadable'; }
  return d;
}

/** A secure context with WebAuthn. */
function passkeys() {
  return typeof PublicKeyCredential === 'function' && !!globalThis.navigator?.credentials && globalThis.isSecureContext === true;
}

/** Runs one client's effects (exported for cognito-wasm/server; the facade below is the API). */
export class Runner {
  /** @param {Record<string, any>} config */
  constructor(config) {
    if (!ex) throw new Error('call init() first');
    const custom = config && typeof config.storage === 'object' && config.storage !== null ? config.storage : null;
    // The user agent names a device Cognito starts tracking (ConfirmDevice's DeviceName).
    const env = { userAgent: globalThis.navigator?.userAgent };
    const k = call('configure', JSON.stringify(config && typeof config === 'object' && !Array.isArray(config) ? { ...config, ...env, ...(custom ? { storage: 'custom' } : {}) } : config ?? null)).split(US);
    if (k[0] === 'E') throw error(k, 1);
    /** @type {Map<number, [(v: any) => void, (e: any) => void]>} */ this.calls = new Map();
    /** @type {Map<number, any>} */ this.timers = new Map();
    /** @type {Map<number, () => void>} */ this.locks = new Map();
    /** @type {Set<(e: any) => void>} */ this.listeners = new Set();
    this.next = 1;
    this.handle = +k[4];
    this.chain = Promise.resolve();
    this.tabChain = Promise.resolve();
    this.kind = k[1];
    this.store = k[1] === 'memory' ? null : openStorage(k[1], custom, k[2]);
    /** @type {any} */ this.tab = null;
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(k[3]) : null;
    if (this.channel) this.channel.onmessage = (m) => this.feed('n' + m.data);
    // Node (tests, SSR) keeps a process alive while a channel listens: let it exit.
    /** @type {any} */ (this.channel)?.unref?.();
    this.onVisibility = () => this.feed('v' + (document.hidden ? 1 : 0));
    if (typeof document === 'object') document.addEventListener('visibilitychange', this.onVisibility);
    const ok = k[1] === 'memory' || this.store !== null;
    if (!ok) this.kind = 'memory';
    // Deferred, so listeners added right after the constructor hear the first events.
    queueMicrotask(() => {
      if (this.handle < 0) return;
      this.run(call('start', '', this.handle, ok ? 1 : 0, Date.now()));
      if (typeof document === 'object' && document.hidden) this.feed('v1');
    });
  }

  /** @param {string} text */
  feed(text) { if (this.handle >= 0) this.run(call('input', text, this.handle, Date.now())); }

  /** @param {string} op @returns {Promise<any>} */
  api(op) {
    const id = this.next++;
    return new Promise((res, rej) => { this.calls.set(id, [res, rej]); this.feed('c' + id + US + op); });
  }

  /** An operation of the engine's `ops` by name, with the app's argument. @param {string} name @param {any} [input] */
  op(name, input) { return this.api('P' + US + name + US + (input === undefined ? '' : JSON.stringify(input))); }

  /** The same for a synchronous method: the engine completes it within the call. @param {string} name @param {any} [input] */
  opSync(name, input) {
    const id = this.next++;
    /** @type {{ok: boolean, v: any}[]} */ const r = [];
    this.calls.set(id, [(v) => { r.push({ ok: true, v }); }, (v) => { r.push({ ok: false, v }); }]);
    this.feed('c' + id + US + 'P' + US + name + US + (input === undefined ? '' : JSON.stringify(input)));
    this.calls.delete(id);
    if (!r.length) throw new Error('the engine did not answer ' + name);
    if (!r[0].ok) throw r[0].v;
    return r[0].v;
  }

  /** Releases this client: its engine state, timers, locks and listeners. */
  free() {
    if (this.handle < 0) return;
    ex.free(this.handle);
    this.handle = -1;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const u of this.locks.values()) u();
    this.timers.clear(); this.locks.clear(); this.listeners.clear();
    this.channel?.close();
    if (typeof document === 'object') document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Executes the engine's effects, in order. @param {string} out */
  run(out) {
    if (!out) return;
    for (const r of out.split(RS)) {
      const f = r.split(US), id = +f[1];
      switch (f[0]) {
        case 'H': this.http(id, f); break;
        case 'S': this.chain = this.storage(this.chain, this.store, id, f); break;
        case 'P': this.tabChain = this.storage(this.tabChain, this.tab ??= tabStorage(), id, f); break;
        case 'T': this.timers.set(id, setTimeout(() => { this.timers.delete(id); this.feed('t' + id); }, Math.max(0, +f[2] - Date.now()))); break;
        case 'X': clearTimeout(this.timers.get(id)); this.timers.delete(id); break;
        case 'L':
          if (globalThis.navigator?.locks) {
            navigator.locks.request(f[2], () => new Promise((release) => { this.locks.set(id, () => release(undefined)); this.feed('l' + id + US + 1); })).catch(() => {});
          } else queueMicrotask(() => this.feed('l' + id + US + 0));
          break;
        case 'U': this.locks.get(id)?.(); this.locks.delete(id); break;
        case 'B': this.channel?.postMessage(f[1]); break;
        case 'N': location.assign(f[1]); break;
        case 'R': history.replaceState(history.state, '', f[1]); break;
        case 'W': this.webauthn(id, f[2] === '1', f[3]); break;
        case 'V': this.verify(id, f); break;
        case 'E': {
          /** @type {any} */ const ev = { type: f[1] };
          if (f[1] === 'storageFallback') this.kind = 'memory';
          if (f.length >= 10) ev.session = session(f, 2);
          if (f.length === 6 || f.length === 14) ev.error = error(f, f.length - 4);
          for (const l of [...this.listeners]) try { l(ev); } catch { /* a listener's throw stops nothing */ }
          break;
        }
        case 'C': this.complete(id, f); break;
      }
    }
  }

  /** @param {number} id @param {string[]} f */
  complete(id, f) {
    const p = this.calls.get(id);
    if (!p) return;
    this.calls.delete(id);
    const [res, rej] = p;
    switch (f[2]) {
      case 's': return res(session(f, 3));
      case 'n': return res(null);
      case 'i': return res({ type: 'signedIn', session: session(f, 3) });
      case 'h': return res({ type: 'challenge', name: f[3] });
      case 'o': return res({ revoked: f[3] === '1', error: f.length > 4 ? error(f, 4) : null });
      case 'j': return res(JSON.parse(f[3], revive));
      case 'u': return res(undefined);
      default: return rej(error(f, 3));
    }
  }

  /** @param {number} id @param {string[]} f */
  http(id, f) {
    /** @type {Record<string, string>} */ const headers = {};
    // H id method url timeoutMs body (name value)*
    for (let i = 6; i + 1 < f.length; i += 2) headers[f[i]] = f[i + 1];
    const get = f[2] === 'GET';
    fetch(f[3], { method: f[2], headers, body: get ? undefined : f[5], credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(+f[4]) })
      .then(async (r) => this.feed('h' + id + US + r.status + US + (r.headers.get('x-amzn-errortype') ?? NUL) + US + (await r.text())))
      .catch(() => this.feed('h' + id + US + 0 + US + NUL + US));
  }

  /**
   * Runs one batch after the previous one on the same storage (an app's storage may be
   * async); returns the new tail of that chain.
   * @param {Promise<void>} chain @param {any} s @param {number} id @param {string[]} f
   */
  storage(chain, s, id, f) {
    return chain.then(async () => {
      /** @type {string[]} */ const got = [];
      try {
        for (let i = 2; i < f.length;) {
          const op = f[i++], k = f[i++];
          if (op === 'g') got.push((await s.getItem(k)) ?? NUL);
          else if (op === 's') await s.setItem(k, f[i++]);
          else await s.removeItem(k);
        }
        this.feed('s' + id + US + 1 + got.map((v) => US + v).join(''));
      } catch { this.feed('s' + id + US + 0); }
    });
  }

  /**
   * navigator.credentials.create/get with the engine's options (WebAuthn's JSON forms, binary
   * members base64url); replies with the credential in the same JSON form
   * (`RegistrationResponseJSON` / `AuthenticationResponseJSON`), or the DOMException name.
   * The conversion is done here rather than with `parseCreationOptionsFromJSON`/`toJSON`,
   * which older browsers lack.
   * @param {number} id @param {boolean} create @param {string} options
   */
  webauthn(id, create, options) {
    const fail = (/** @type {any} */ e) => this.feed('w' + id + US + 0 + US + (e && typeof e.name === 'string' ? e.name : 'Error'));
    try {
      if (!passkeys()) return fail({ name: 'NotSupportedError' });
      const o = JSON.parse(options);
      o.challenge = bytes(o.challenge);
      if (create) o.user.id = bytes(o.user.id);
      for (const c of [...(o.excludeCredentials ?? []), ...(o.allowCredentials ?? [])]) c.id = bytes(c.id);
      const c = create ? navigator.credentials.create({ publicKey: o }) : navigator.credentials.get({ publicKey: o });
      c.then((/** @type {any} */ cred) => {
        let text;
        try { // a null credential or a missing member: TypeError, the engine's PasskeyFailed
          const r = cred.response, f = (/** @type {string} */ m) => { try { return typeof r[m] === 'function' ? r[m]() : undefined; } catch { return undefined; } };
          const key = f('getPublicKey');
          const response = create
            ? { clientDataJSON: b64u(r.clientDataJSON), attestationObject: b64u(r.attestationObject), transports: f('getTransports') ?? [],
                authenticatorData: b64u(f('getAuthenticatorData')), publicKeyAlgorithm: f('getPublicKeyAlgorithm'), publicKey: key ? b64u(key) : undefined }
            : { clientDataJSON: b64u(r.clientDataJSON), authenticatorData: b64u(r.authenticatorData), signature: b64u(r.signature), userHandle: r.userHandle ? b64u(r.userHandle) : undefined };
          text = JSON.stringify({ id: cred.id, rawId: b64u(cred.rawId), type: cred.type, response, authenticatorAttachment: cred.authenticatorAttachment ?? undefined, clientExtensionResults: {} });
        } catch (e) { return fail(e); }
        this.feed('w' + id + US + 1 + US + text);
      }, fail);
    } catch (e) { fail(e); }
  }

  /** RSASSA-PKCS1-v1_5 / SHA-256 with WebCrypto. @param {number} id @param {string[]} f */
  verify(id, f) {
    const s = crypto.subtle;
    s.importKey('jwk', { kty: 'RSA', n: f[2], e: f[3], alg: 'RS256', ext: true }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])
      .then((key) => s.verify('RSASSA-PKCS1-v1_5', key, bytes(f[5]), bytes(f[4])))
      .then((ok) => this.feed('y' + id + US + (ok ? 1 : 0)), () => this.feed('y' + id + US + 0));
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The header and payload of a JWT, decoded (not verified) as UTF-8 JSON; an `InvalidInput`
 * error for anything else.
 * @param {string} token
 */
export function decodeJwt(token) {
  const p = typeof token === 'string' ? token.split('.') : [];
  try {
    if (p.length !== 3) throw 0;
    const [header, payload] = p.slice(0, 2).map((s) => JSON.parse(strict.decode(bytes(s))));
    if ([header, payload].some((o) => !o || typeof o !== 'object' || Array.isArray(o))) throw 0;
    return { header, payload };
  } catch { throw error(['InvalidInput', NUL, '0', 'not a JWT'], 0); }
}

/**
 * An Amplify configuration (`amplify_outputs.json`, `aws-exports.js` or Amplify's parsed
 * `ResourcesConfig`) as this library's configuration; the mapping is the engine's.
 * @param {any} config
 */
export function configFromAmplify(config) {
  if (!ex) throw new Error('call init() first');
  if (!ex.amplify) throw error(['InvalidInput', NUL, '0', 'this engine has no fromAmplifyConfig: load the full one'], 0);
  const o = call('amplify', JSON.stringify({ config: config ?? null, origin: globalThis.location?.origin ?? null, path: globalThis.location?.pathname ?? null }));
  if (o[0] === 'E') throw error(o.split(US), 1);
  return JSON.parse(o.slice(2));
}

export class CognitoAuth {
  #r;
  /** @param {any} config @param {Record<string, any>} [options] */
  static fromAmplifyConfig(config, options) { return new CognitoAuth({ ...configFromAmplify(config), ...options }); }
  /** True where passkeys can work: a secure context with WebAuthn. */
  static isPasskeySupported() { return passkeys(); }

  /** @param {Record<string, any>} config */
  constructor(config) { this.#r = new Runner(config); }

  /** The storage in use (`'memory'` after a fallback). */
  get storageKind() { return this.#r.kind; }

  /** @param {{forceRefresh?: boolean}} [o] */
  currentSession(o) { return o === undefined ? this.#r.api('S') : this.#r.op('currentSession', o); }
  /** Who is signed in, from storage alone (no request). */
  getCurrentUser() {
    const r = this.#r;
    /** @type {Record<string, string | null>} */ const values = {};
    for (let i = 0; i < 3; i++) {
      const a = r.opSync('getCurrentUser', { values });
      if (!a || !a.read) return a;
      for (const k of a.read) {
        let v;
        try { v = r.store?.getItem(k); } catch { return r.opSync('getCurrentUser', { failed: true }); }
        if (v && typeof v.then === 'function') return r.opSync('getCurrentUser', { async: true });
        values[k] = v ?? null;
      }
    }
    return null;
  }
  /** @param {any} input */
  signIn(input) { return this.#r.op('signIn', input); }
  /** @param {any} answer */
  respondToChallenge(answer) { return this.#r.op('respondToChallenge', answer); }
  /** @param {{global?: boolean, redirect?: boolean}} [opts] */
  signOut(opts) { return this.#r.api('O' + US + ((opts && opts.global ? 1 : 0) | (opts && opts.redirect ? 2 : 0))); }
  /** @param {(e: any) => void} f */
  onAuthStateChange(f) { this.#r.listeners.add(f); return () => { this.#r.listeners.delete(f); }; }
  prepareSignIn() { this.#r.opSync('prepareSignIn'); }

  /** @param {any} i */ signUp(i) { return this.#r.op('signUp', i); }
  /** @param {any} i */ confirmSignUp(i) { return this.#r.op('confirmSignUp', i); }
  /** @param {any} i */ resendSignUpCode(i) { return this.#r.op('resendSignUpCode', i); }
  /** @param {any} i */ forgotPassword(i) { return this.#r.op('forgotPassword', i); }
  /** @param {any} i */ confirmForgotPassword(i) { return this.#r.op('confirmForgotPassword', i); }
  getUser() { return this.#r.op('getUser'); }
  /** @param {any} i */ changePassword(i) { return this.#r.op('changePassword', i); }
  /** @param {any} i */ updateUserAttributes(i) { return this.#r.op('updateUserAttributes', i); }
  /** @param {any} i */ sendUserAttributeVerificationCode(i) { return this.#r.op('sendUserAttributeVerificationCode', i); }
  /** @param {any} i */ verifyUserAttribute(i) { return this.#r.op('verifyUserAttribute', i); }
  /** @param {any} i */ deleteUserAttributes(i) { return this.#r.op('deleteUserAttributes', i); }
  /** @param {any} i */ setMfaPreference(i) { return this.#r.op('setMfaPreference', i); }
  setUpTotp() { return this.#r.op('setUpTotp'); }
  /** @param {any} i */ verifyTotp(i) { return this.#r.op('verifyTotp', i); }
  deleteUser() { return this.#r.op('deleteUser'); }
  rememberDevice() { return this.#r.op('rememberDevice'); }
  doNotRememberDevice() { return this.#r.op('doNotRememberDevice'); }
  /** @param {any} [i] */ forgetDevice(i) { return this.#r.op('forgetDevice', i); }
  listDevices() { return this.#r.op('listDevices'); }
  registerPasskey() { return this.#r.op('registerPasskey'); }
  /** @param {any} [page] */ listPasskeys(page) { return this.#r.op('listPasskeys', page); }
  /** @param {string} credentialId */ deletePasskey(credentialId) { return this.#r.op('deletePasskey', { credentialId }); }
  /** @param {any} [o] */
  async getAwsCredentials(o) {
    const c = await this.#r.op('getAwsCredentials', o);
    return { ...c, expiration: new Date(c.expiration) };
  }
  /** @param {any} request @param {any} options */
  async signRequest(request, options) {
    const isRequest = typeof Request === 'function' && request instanceof Request;
    const s = await this.#r.op('signRequest', { request: isRequest ? await describedRequest(request) : described(request), options });
    if (!isRequest) return { ...request, ...s };
    try { return new Request(request, { headers: s.headers }); } catch { return this.#r.op('signFailed', { stage: 'build' }); }
  }
  /** @param {any} url @param {any} init @param {any} options */
  async fetchSigned(url, init, options) {
    const i = init && typeof init === 'object' ? init : {};
    const s = await this.#r.op('signRequest', { request: described({ ...i, url }), options });
    /** @type {Request} */ let r;
    try { r = new Request(s.url, { ...i, headers: s.headers }); } catch { return this.#r.op('signFailed', { stage: 'build' }); }
    return fetch(r).catch(() => this.#r.op('signFailed', { stage: 'fetch' }));
  }
  /** @param {any} url @param {any} [options] */
  presignUrl(url, options) { return this.#r.op('presignUrl', { request: described({ url }), options }); }
  /** @param {any} [o] */ authorizeUrl(o) { return this.#r.opSync('authorizeUrl', o); }
  /** @param {any} [o] */ signInWithRedirect(o) { return this.#r.op('signInWithRedirect', o); }
  /** @param {string} [url] */ handleRedirectCallback(url) { const here = globalThis.location?.href; return this.#r.op('handleRedirectCallback', { url: url ?? here, here }); }
  /** @param {string} token */ verifyIdToken(token) { return this.#r.op('verifyIdToken', { token }); }
  getUserInfo() { return this.#r.op('getUserInfo'); }

  /** Releases this client: its engine state, timers, locks and listeners. */
  free() { this.#r.free(); }
}
