// @ts-check
// `cognito-wasm/core-hosted` (shipped as cognito_wasm_core_hosted.js): the session API and
// the hosted UI on cognito_wasm_core_hosted.wasm. Exactly what core-hosted.d.ts declares.

import { load } from './core.mjs';

export { initSync } from './core.mjs';
export { CognitoAuth } from './hosted.mjs';

/**
 * Loads the engine (once per page); default: the core engine with the hosted UI beside
 * this module (`cognito_wasm_core_hosted.wasm`).
 * @param {any} [input]
 */
export default function init(input) {
  return load(input === undefined ? new URL('cognito_wasm_core_hosted.wasm', import.meta.url) : input);
}
