/**
 * cognito-wasm — AWS Cognito user-pool sign-in for the browser, in Rust compiled to WebAssembly.
 *
 * Load the module once, then create a client:
 *
 * ```js
 * import init, { CognitoAuth } from 'cognito-wasm';
 * await init();                      // fetches cognito_wasm_bg.wasm next to this file
 * const auth = new CognitoAuth({ userPoolId: 'us-east-1_AbC123', clientId: '...' });
 * const r = await auth.signIn({ username, password });
 * if (r.type === 'signedIn') console.log(r.session.idTokenClaims.email);
 * ```
 */

/** Where sessions are kept. `'local'` (default) survives reloads and is shared by tabs. */
export type StorageKind = 'local' | 'session' | 'memory';

export interface CognitoAuthConfig {
  /** User-pool id, `{region}_{poolName}`, e.g. `us-east-1_AbC123xyz`. */
  userPoolId: string;
  /** App client id (a public client: no client secret in a browser). */
  clientId: string;
  /**
   * User-pool API endpoint. Default: `https://cognito-idp.{region}.amazonaws.com/`.
   * Set it for FIPS or VPC endpoints, or for a local emulator.
   */
  endpoint?: string;
  /** Default `'local'`. When the chosen storage is blocked the client falls back to memory. */
  storage?: StorageKind;
}

/** A signed-in session. Tokens are the raw JWT strings Cognito issued. */
export interface Session {
  /** The user name Cognito knows the user by (USER_ID_FOR_SRP / the access token's `username`). */
  username: string;
  idToken: string;
  accessToken: string;
  refreshToken: string | null;
  /** When the access token expires, in milliseconds since the epoch (local clock, drift-corrected). */
  expiresAt: number;
  /** Seconds by which the local clock is ahead of Cognito's (local now − token `iat`). */
  clockDrift: number;
  /** Decoded (not verified) payload of the ID token. */
  idTokenClaims: Record<string, unknown>;
  /** Decoded (not verified) payload of the access token. */
  accessTokenClaims: Record<string, unknown>;
}

/** The result of a sign-in step: either a session, or a challenge the app must answer. */
export type SignInResult =
  | { type: 'signedIn'; session: Session }
  | {
      type: 'challenge';
      /** Cognito's challenge name, e.g. `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`. */
      name: string;
      /** Challenge parameters as Cognito sent them (secrets such as SECRET_BLOCK removed). */
      parameters: Record<string, string>;
    };

/**
 * Every rejection from this library is an `Error` with these fields.
 * `code` (equal to `name`) is the Cognito exception name (`NotAuthorizedException`,
 * `UserNotFoundException`, …) or one of the library codes below.
 */
export interface CognitoError extends Error {
  name: string;
  code:
    | 'NotAuthorizedException'
    | 'UserNotFoundException'
    | 'UserNotConfirmedException'
    | 'PasswordResetRequiredException'
    | 'TooManyRequestsException'
    | 'LimitExceededException'
    | 'InvalidParameterException'
    | 'ResourceNotFoundException'
    /** fetch failed (offline, DNS, CORS, connection refused). */
    | 'NetworkError'
    /** The server's reply was not what the protocol allows (bad JSON, missing fields, bad SRP values). */
    | 'InvalidResponse'
    /** Input from the app was rejected before anything was sent. */
    | 'InvalidInput'
    /** The configured storage threw; the session was kept in memory. */
    | 'StorageUnavailable'
    | (string & {});
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** True when trying again later may succeed (network faults, 5xx, throttling). */
  retryable: boolean;
}

export class CognitoAuth {
  constructor(config: CognitoAuthConfig);
  /** Sign in with Cognito's SRP protocol (USER_SRP_AUTH); the password never leaves the page. */
  signIn(input: { username: string; password: string }): Promise<SignInResult>;
  /**
   * Compute the SRP ephemeral key for the next `signIn` now (a few milliseconds of CPU), so
   * that pressing "Sign in" only costs the password-dependent half. Call it when the
   * sign-in form is shown or focused. Optional: `signIn` computes it itself when needed.
   */
  prepareSignIn(): void;
  /** The storage actually in use: `'memory'` when the configured storage was blocked. */
  readonly storageKind: StorageKind;
  /** The stored session, or `null` when nobody is signed in. */
  currentSession(): Promise<Session | null>;
  /** Forget the session on this device (local sign-out). */
  signOut(): Promise<void>;
  /** Release the wasm memory held by this client. */
  free(): void;
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Load and instantiate the wasm module (asynchronously). Call once before using the API. */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/** Instantiate synchronously from bytes or a compiled module (Node, workers, tests). */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
