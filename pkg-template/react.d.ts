/**
 * cognito-wasm/react — React bindings (React 18+, a peer dependency). They mirror a
 * `CognitoAuth`'s state and never load the wasm: create the client after `init()` and hand it
 * to the provider; until then (and on the server) `status` is `'loading'`.
 *
 * ```tsx
 * import init, { CognitoAuth } from 'cognito-wasm';
 * import { CognitoProvider, useAuth } from 'cognito-wasm/react';
 * const auth = await init().then(() => new CognitoAuth({ userPoolId, clientId }));
 * root.render(<CognitoProvider auth={auth}><App /></CognitoProvider>);
 * function App() {
 *   const { status, user, signIn, signOut } = useAuth();
 *   …
 * }
 * ```
 *
 * Importing this module also types `<cognito-login>` and its sibling elements in JSX.
 */
import type { ReactNode, JSX as ReactJSX } from 'react';
import type { CognitoAuth, CognitoError, Session, SignInInput, SignInResult, SignOutResult } from './index.js';
import type { CognitoLoginAttributes, CognitoLoginElement } from './element.js';

/** `'loading'` until the stored session was read (and while no `auth` was given). */
export type AuthStatus = 'loading' | 'signedIn' | 'signedOut';

/** The signed-in user: Cognito's user name and the ID token's (decoded, unverified) claims. */
export interface AuthUser {
  username: string;
  claims: Record<string, unknown>;
}

/** What `useAuth()` returns; a new object on every auth event (sign-in, sign-out, refresh, here or in another tab). */
export interface AuthState {
  status: AuthStatus;
  session: Session | null;
  user: AuthUser | null;
  /** The last `tokenRefreshFailed` error (the session is kept), or why reading the session failed (`status` stays `'loading'`). */
  error: CognitoError | null;
  /** The client given to the provider, or null. */
  auth: CognitoAuth | null;
  /** `auth.signIn` (rejects when the provider has no `auth` yet). */
  signIn(input: SignInInput): Promise<SignInResult>;
  /** `auth.respondToChallenge`. */
  respondToChallenge(answer: Parameters<CognitoAuth['respondToChallenge']>[0]): Promise<SignInResult>;
  /** `auth.signOut`. */
  signOut(options?: { global?: boolean; redirect?: boolean }): Promise<SignOutResult>;
}

export interface CognitoProviderProps {
  /** The client; `null`/absent on the server or before `init()` resolved. */
  auth?: CognitoAuth | null;
  children?: ReactNode;
}

export function CognitoProvider(props: CognitoProviderProps): ReactJSX.Element;
/** The provider's state; throws outside a `<CognitoProvider>`. */
export function useAuth(): AuthState;

/** What every one of the elements takes in JSX. */
type ElementProps<E> = {
  ref?: import('react').Ref<E>;
  children?: ReactNode;
  id?: string;
  class?: string;
  className?: string;
  style?: import('react').CSSProperties;
  slot?: string;
  hidden?: boolean;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'cognito-login': ElementProps<CognitoLoginElement> & CognitoLoginAttributes;
      'cognito-signed-in': ElementProps<HTMLElement>;
      'cognito-signed-out': ElementProps<HTMLElement>;
      'cognito-user': ElementProps<HTMLElement> & { field?: string };
      'cognito-sign-out': ElementProps<HTMLElement> & { global?: boolean | '' };
    }
  }
}
