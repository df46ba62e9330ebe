// @ts-check
// cognito-wasm/server: verifies, in Node (20 or later, ES modules), the access and ID tokens
// an app sends. The engine decides everything (the issuer, the JWKS cache and when to fetch
// it again, the signature step, token_use, the app client, expiry): this module loads the
// package's server engine from disk and runs its effects with Node's fetch and WebCrypto
// (globalThis.crypto.subtle), through the same effect loop as the browser's CognitoAuth.
import fs from 'node:fs';
// A module instance of its own (Node loads a module again for another query string): its
// engine is this one, whichever engine the app's own `import 'cognito-wasm'` loaded.
import { initSync, Runner, executors, US } from './cognito_wasm_base.js?server';

// `V id n e data signature`: RSASSA-PKCS1-v1_5 / SHA-256 of `data` (base64url) with the JWK's
// `n`, `e`; the engine gets `y id 1|0`.
executors.V = (r, id, f) => {
  const s = globalThis.crypto.subtle;
  const b = (/** @type {string} */ v) => Buffer.from(v, 'base64url');
  s.importKey('jwk', { kty: 'RSA', n: f[2], e: f[3], alg: 'RS256', ext: true }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])
    .then((key) => s.verify('RSASSA-PKCS1-v1_5', key, b(f[5]), b(f[4])))
    .then((ok) => r.feed('y' + id + US + (ok ? 1 : 0)), () => r.feed('y' + id + US + 0));
};

let loaded = false;

/**
 * A verifier for one app client of one user pool. The pool's JWKS is fetched on first use,
 * cached, and fetched again when a token names a `kid` it lacks (the engine's policy).
 * @param {{ userPoolId: string, clientId: string, endpoint?: string, issuer?: string, leewaySeconds?: number }} options
 */
export function createVerifier(options) {
  if (!loaded) {
    initSync({ module: fs.readFileSync(new URL('./cognito_wasm_server.wasm', import.meta.url)) });
    loaded = true;
  }
  const o = options && typeof options === 'object' ? options : /** @type {any} */ ({});
  const runner = new Runner({
    userPoolId: o.userPoolId, clientId: o.clientId, endpoint: o.endpoint, issuer: o.issuer, storage: 'memory',
  });
  const leewaySeconds = o.leewaySeconds;
  /** @param {string} token @param {'access' | 'id'} tokenUse */
  const verify = (token, tokenUse) => runner.op('verifyToken', { token, tokenUse, leewaySeconds });
  return {
    /** @param {string} token */
    verifyAccessToken: (token) => verify(token, 'access'),
    /** @param {string} token */
    verifyIdToken: (token) => verify(token, 'id'),
  };
}
