// @ts-check
// cognito-wasm/server: verifies, in Node (20 or later, ES modules), the access and ID tokens
// an app sends. The engine decides everything (the issuer, the JWKS cache and when to fetch
// it again, the signature step, token_use, the app client, expiry): this module loads the
// package's server engine from disk and runs its effects with Node's fetch and WebCrypto
// (globalThis.crypto.subtle), through the same runner as the browser's CognitoAuth.
import fs from 'node:fs';
// A module instance of its own (Node loads a module again for another query string): its
// engine is this one, whichever engine the app's own `import 'cognito-wasm'` loaded.
import { initSync, Runner } from './cognito_wasm.js?server';

let loaded = false;

/**
 * A verifier for one app client of one user pool. The pool's JWKS is fetched on first use,
 * cached, and fetched again (once per verification) when a token names a `kid` it lacks.
 * @param {{ userPoolId: string, clientId: string, endpoint?: string, issuer?: string, leewaySeconds?: number }} options
 */
export function createVerifier(options) {
  if (!loaded) {
    initSync({ module: fs.readFileSync(new URL('./cognito_wasm_server.wasm', import.meta.url)) });
    loaded = true;
  }
  const o = options && typeof options === 'object' ? options : /** @type {any} */ ({});
  const runner = /** @type {any} */ (new /** @type {any} */ (Runner)({
    userPoolId: o.userPoolId, clientId: o.clientId, endpoint: o.endpoint, issuer: o.issuer, storage: 'memory',
  }));
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
