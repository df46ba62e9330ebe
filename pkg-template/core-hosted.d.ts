/**
 * `cognito-wasm/core-hosted`: the core entry (`cognito-wasm/core`: SRP sign-in, sessions,
 * sign-out, auth events) plus the hosted UI: `authorizeUrl`, `signInWithRedirect`,
 * `handleRedirectCallback` (authorization code + PKCE, the ID token's RS256 signature checked
 * with WebCrypto), `verifyIdToken`, `getUserInfo` and `signOut({ redirect: true })`. Its
 * engine, `cognito_wasm_core_hosted.wasm`, has no challenges (MFA, new password, custom auth),
 * identity pool, account or passkey calls: use the main entry (`cognito-wasm`) for those.
 * As in the core entry, the library's own errors carry their `code` only (`message` is the
 * code); Cognito's errors keep Cognito's message. The methods mean what the main entry's do.
 *
 * ```js
 * import init, { CognitoAuth } from 'cognito-wasm/core-hosted';
 * await init(); // fetches cognito_wasm_core_hosted.wasm beside this module
 * const auth = new CognitoAuth({ userPoolId, clientId, domain, redirectSignIn, redirectSignOut });
 * if (location.search.includes('code=')) await auth.handleRedirectCallback();
 * ```
 */
import type { RedirectSignInOptions, RedirectSignInResult, SignOutResult } from './index.js';
import { CognitoAuth as Core } from './core.js';

export type { AuthEvent, CognitoAuthConfig, CognitoError, InitInput, RedirectSignInOptions, RedirectSignInResult, Session, SignOutResult, StorageKind } from './index.js';
export type { CoreSignInResult } from './core.js';

export class CognitoAuth extends Core {
  /** As the main entry's `signOut()`; `{ redirect: true }` then goes to the hosted UI's `/logout`. */
  signOut(options?: { global?: boolean; redirect?: boolean }): Promise<SignOutResult>;
  /** The hosted UI's `/oauth2/authorize` URL for a new sign-in (see the main entry's). */
  authorizeUrl(options?: RedirectSignInOptions): string;
  /** Hosted UI: `location.assign(authorizeUrl(options))`. */
  signInWithRedirect(options?: RedirectSignInOptions): Promise<void>;
  /** Completes the hosted-UI sign-in on the `redirectSignIn` page (see the main entry's). */
  handleRedirectCallback(url?: string): Promise<RedirectSignInResult>;
  /** Verifies an ID token of this user pool and app client; resolves with its claims. */
  verifyIdToken(token: string): Promise<Record<string, unknown>>;
  /** `GET /oauth2/userInfo` with the stored access token (needs the `openid` scope). */
  getUserInfo(): Promise<Record<string, unknown>>;
}

/** Loads the engine (default: `cognito_wasm_core_hosted.wasm` beside this module). */
export default function init(
  moduleOrPath?: { module_or_path: import('./index.js').InitInput | Promise<import('./index.js').InitInput> } | import('./index.js').InitInput | Promise<import('./index.js').InitInput>,
): Promise<unknown>;

export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
