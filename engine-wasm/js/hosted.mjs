// @ts-check
// The hosted-UI layer (bundled into cognito_wasm_core_hosted.js and cognito_wasm.js): the
// core's session API plus the hosted UI's methods and the RS256 executor (WebCrypto) that ID-token checks need. The
// `cognito-wasm/core-hosted` entry (hosted-entry.mjs) and the full facade (runner.mjs) build
// on it; a page that signs in with a password and through the hosted UI imports only that
// entry and its engine, cognito_wasm_core_hosted.wasm.
// Like core.mjs it holds no policy and names no .wasm file: the methods forward to the
// engine's operations, and the executor runs the one Web API call the engine asks for.

import { executors, CognitoAuth as Core, US } from './core.mjs';

/** @param {string} s base64url @returns {ArrayBuffer} */
export function bytes(s) {
  return Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
}

/** `V id n e signature signedBytes`: RSASSA-PKCS1-v1_5 / SHA-256 with WebCrypto; replies 1 or 0. */
executors.V = (r, id, f) => {
  const s = crypto.subtle;
  s.importKey('jwk', { kty: 'RSA', n: f[2], e: f[3], alg: 'RS256', ext: true }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])
    .then((key) => s.verify('RSASSA-PKCS1-v1_5', key, bytes(f[5]), bytes(f[4])))
    .then((ok) => r.feed('y' + id + US + (ok ? 1 : 0)), () => r.feed('y' + id + US + 0));
};

/** The core entry's session API and the hosted UI (authorization code + PKCE, ID-token checks). */
export class CognitoAuth extends Core {
  /** @param {Record<string, any>} config */
  constructor(config) { super(config); }
  get #r() { return Core._runner(this); }

  /** @param {any} [o] */ authorizeUrl(o) { return this.#r.opSync('authorizeUrl', o); }
  /** @param {any} [o] */ signInWithRedirect(o) { return this.#r.op('signInWithRedirect', o); }
  /** @param {string} [url] */ handleRedirectCallback(url) { const here = globalThis.location?.href; return this.#r.op('handleRedirectCallback', { url: url ?? here, here }); }
  /** @param {string} token */ verifyIdToken(token) { return this.#r.op('verifyIdToken', { token }); }
  getUserInfo() { return this.#r.op('getUserInfo'); }
}
