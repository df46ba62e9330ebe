/**
 * `cognito-wasm/core`: the smallest entry. SRP sign-in with a username and password,
 * sessions (refreshed once across tabs, never signed out by a fault), sign-out with
 * revocation, auth events. Its engine, `cognito_wasm_core.wasm`, has nothing else: no
 * challenges (MFA, new password, custom auth), hosted UI, identity pool, account or passkey
 * calls. A pool that asks for a challenge resolves `signIn` with `{ type: 'challenge', name }`
 * and this entry cannot answer it: use the main entry (`cognito-wasm`) for such pools.
 * The library's own errors carry their `code` only (`message` is the code); Cognito's errors
 * keep Cognito's message. Storage, events and session objects are the main entry's.
 *
 * ```js
 * import init, { CognitoAuth } from 'cognito-wasm/core';
 * await init(); // fetches cognito_wasm_core.wasm beside this module
 * const auth = new CognitoAuth({ userPoolId, clientId });
 * const r = await auth.signIn({ username, password });
 * ```
 */
import type { AuthEvent, CognitoAuthConfig, InitInput, Session, SignOutResult, StorageKind } from './index.js';

export type { AuthEvent, CognitoAuthConfig, CognitoError, InitInput, Session, SignOutResult, StorageKind } from './index.js';

export type CoreSignInResult = { type: 'signedIn'; session: Session } | { type: 'challenge'; name: string };

export class CognitoAuth {
  constructor(config: CognitoAuthConfig);
  /** SRP sign-in (USER_SRP_AUTH); the password never leaves the page. */
  signIn(input: { username: string; password: string }): Promise<CoreSignInResult>;
  /** As the main entry's `currentSession()` (no options in this entry). */
  currentSession(): Promise<Session | null>;
  /** As the main entry's `signOut()` (`{ redirect: true }` needs the hosted UI: main entry). */
  signOut(options?: { global?: boolean }): Promise<SignOutResult>;
  /** Listen to auth events; returns a function that removes the listener. */
  onAuthStateChange(listener: (event: AuthEvent) => void): () => void;
  /** The storage actually in use: `'memory'` when the configured storage was blocked. */
  readonly storageKind: StorageKind | 'custom';
  /** Releases this client: its engine state, timers, locks and listeners. */
  free(): void;
}

/** Loads the core engine (default: `cognito_wasm_core.wasm` beside this module). */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
