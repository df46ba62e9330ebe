/**
 * cognito-wasm/vue — Vue 3 bindings (a peer dependency). They mirror a `CognitoAuth`'s state and
 * never load the wasm: create the client after `init()`; until then (and on the server)
 * `status` is `'loading'`. `auth` may be a ref that is set later (e.g. after hydration).
 *
 * ```ts
 * import init, { CognitoAuth } from 'cognito-wasm';
 * import { createCognito, useAuth } from 'cognito-wasm/vue';
 * const auth = await init().then(() => new CognitoAuth({ userPoolId, clientId }));
 * createApp(App).use(createCognito(auth)).mount('#app');
 * // in a component's setup:
 * const { status, user, signIn, signOut } = useAuth();   // status.value, user.value, …
 * ```
 *
 * Importing this module also types `<cognito-login>` and its sibling elements for templates
 * (`GlobalComponents`); tell the compiler they are custom elements:
 * `vue({ template: { compilerOptions: { isCustomElement: (t) => t.startsWith('cognito-') } } })`.
 */
import type { DefineComponent, Plugin, Ref } from 'vue';
import type { CognitoAuth, CognitoError, Session, SignInInput, SignInResult, SignOutResult } from './index.js';
import type { CognitoLoginAttributes } from './element.js';

/** `'loading'` until the stored session was read (and while there is no `auth`). */
export type AuthStatus = 'loading' | 'signedIn' | 'signedOut';

/** The signed-in user: Cognito's user name and the ID token's (decoded, unverified) claims. */
export interface AuthUser {
  username: string;
  claims: Record<string, unknown>;
}

/** What `useAuth()` returns: read-only refs, updated on every auth event (sign-in, sign-out, refresh, here or in another tab). */
export interface AuthState {
  status: Readonly<Ref<AuthStatus>>;
  session: Readonly<Ref<Session | null>>;
  user: Readonly<Ref<AuthUser | null>>;
  /** The last `tokenRefreshFailed` error (the session is kept), or why reading the session failed (`status` stays `'loading'`). */
  error: Readonly<Ref<CognitoError | null>>;
  /** The client given to `createCognito`, or null. */
  auth: Readonly<Ref<CognitoAuth | null>>;
  /** `auth.signIn` (rejects while there is no `auth`). */
  signIn(input: SignInInput): Promise<SignInResult>;
  /** `auth.respondToChallenge`. */
  respondToChallenge(answer: Parameters<CognitoAuth['respondToChallenge']>[0]): Promise<SignInResult>;
  /** `auth.signOut`. */
  signOut(options?: { global?: boolean; redirect?: boolean }): Promise<SignOutResult>;
}

/** The plugin: `app.use(createCognito(auth))`; `auth` null/absent on the server. */
export function createCognito(auth?: CognitoAuth | null | Ref<CognitoAuth | null | undefined>): Plugin;
/** The app's auth state; throws when the plugin was not installed. */
export function useAuth(): AuthState;

declare module 'vue' {
  interface GlobalComponents {
    'cognito-login': DefineComponent<CognitoLoginAttributes>;
    'cognito-signed-in': DefineComponent<{}>;
    'cognito-signed-out': DefineComponent<{}>;
    'cognito-user': DefineComponent<{ field?: string }>;
    'cognito-sign-out': DefineComponent<{ global?: boolean | '' }>;
  }
}
