// @ts-check
// The runner: executes the engine's effects with Web APIs and forwards API calls to it.
// It holds no policy: every decision (when to refresh, who refreshes, retries, what is
// stored where, which revocation sign-out uses, what an input must look like) is made by the
// Rust engine, which this module reaches through a synchronous, raw wasm boundary (no
// wasm-bindgen glue). Wire format: engine-wasm/src/wire.rs. The effect loop, storage and
// the session methods are in core.mjs (cognito_wasm_core.js); this module is the whole
// facade (index.d.ts) and the WebAuthn executor; the hosted UI's methods and the RS256
// executor are in hosted.mjs (cognito_wasm_core_hosted.js), which this module builds on.

import { load, initSync, call, error, engine, executors, US, NUL, enc } from './core.mjs';
import { CognitoAuth as Hosted, bytes } from './hosted.mjs';

export { initSync };

/**
 * Loads the engine (once per page): a URL (default: the full engine beside this module,
 * `cognito_wasm_bg.wasm`), a Response, bytes or a compiled WebAssembly.Module.
 * @param {any} [input]
 */
export default function init(input) {
  return load(input === undefined ? new URL('cognito_wasm_bg.wasm', import.meta.url) : input);
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

/**
 * navigator.credentials.create/get with the engine's options (WebAuthn's JSON forms, binary
 * members base64url); replies with the credential in the same JSON form
 * (`RegistrationResponseJSON` / `AuthenticationResponseJSON`), or the DOMException name.
 * The conversion is done here rather than with `parseCreationOptionsFromJSON`/`toJSON`,
 * which older browsers lack.
 */
executors.W = (r, id, f) => webauthn(r, id, f[2] === '1', f[3]);

/** @param {import('./core.mjs').Runner} r @param {number} id @param {boolean} create @param {string} options */
function webauthn(r, id, create, options) {
    const fail = (/** @type {any} */ e) => r.feed('w' + id + US + 0 + US + (e && typeof e.name === 'string' ? e.name : 'Error'));
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
        r.feed('w' + id + US + 1 + US + text);
      }, fail);
    } catch (e) { fail(e); }
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
  const ex = engine();
  if (!ex) throw new Error('call init() first');
  if (!ex.amplify) throw error(['InvalidInput', NUL, '0', 'this engine has no fromAmplifyConfig: load the full one'], 0);
  const o = call('amplify', JSON.stringify({ config: config ?? null, origin: globalThis.location?.origin ?? null, path: globalThis.location?.pathname ?? null }));
  if (o[0] === 'E') throw error(o.split(US), 1);
  return JSON.parse(o.slice(2));
}

export class CognitoAuth extends Hosted {
  /** @param {any} config @param {Record<string, any>} [options] */
  static fromAmplifyConfig(config, options) { return new CognitoAuth({ ...configFromAmplify(config), ...options }); }
  /** True where passkeys can work: a secure context with WebAuthn. */
  static isPasskeySupported() { return passkeys(); }

  /** @param {Record<string, any>} config */
  constructor(config) { super(config); }
  get #r() { return Hosted._runner(this); }


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
  /** @param {any} answer */
  respondToChallenge(answer) { return this.#r.op('respondToChallenge', answer); }
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
  /** @param {any} [i] */ getDevice(i) { return this.#r.op('getDevice', i); }
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
}
