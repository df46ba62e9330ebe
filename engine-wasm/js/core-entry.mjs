// @ts-check
// `cognito-wasm/core` (shipped as cognito_wasm_core.js): the session API on the core engine,
// cognito_wasm_core.wasm (SRP sign-in, sessions, sign-out). Exactly what core.d.ts declares.

import { load } from './core.mjs';

export { initSync, CognitoAuth } from './core.mjs';

/**
 * Loads the engine (once per page); default: the core engine beside this module
 * (`cognito_wasm_core.wasm`).
 * @param {any} [input]
 */
export default function init(input) {
  return load(input === undefined ? new URL('cognito_wasm_core.wasm', import.meta.url) : input);
}
