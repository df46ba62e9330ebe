/**
 * cognito-wasm/server — verifies, in Node (20 or later, ES modules), the access and ID tokens
 * your app's users send. Not for browsers (it reads the engine from disk).
 *
 * ```js
 * import { createVerifier } from 'cognito-wasm/server';
 * const verifier = createVerifier({ userPoolId: 'us-east-1_AbC123', clientId: '1example23456789' });
 * const claims = await verifier.verifyAccessToken(token); // rejects with a TokenError
 * ```
 *
 * The pool's JWKS is fetched on first use and cached for the verifier's life; a token whose
 * `kid` is not cached makes one more fetch (key rotation); for 10 s after a fetch that still
lacked the `kid`, unknown `kid`s are refused without one. Checks, in order: the token is an
 * RS256 JWT with a `kid`; `iss` is the pool's (before any key is fetched); the signature;
 * `token_use`; the app client (`client_id` for access tokens, `aud` for ID tokens); `exp`
 * (required) and `nbf` (when present), with `leewaySeconds` (default 0).
 */
export interface VerifierOptions {
  /** `{region}_{id}`: the pool's region is read from it. */
  userPoolId: string;
  /** The app client the tokens must be issued to. */
  clientId: string;
  /** A Cognito endpoint other than `https://cognito-idp.{region}.amazonaws.com/` (an emulator,
   * a VPC endpoint): the JWKS is fetched there, and `{endpoint}/{userPoolId}` is accepted as
   * `iss` besides Cognito's own. */
  endpoint?: string;
  /** The only `iss` accepted (when the tokens carry another issuer than Cognito's; by default
   * both of Cognito's formats are, `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`
   * and `https://issuer-cognito-idp.{region}.amazonaws.com/{userPoolId}`). */
  issuer?: string;
  /** Seconds a token is still accepted after `exp` (and before `nbf`): 0 to 300, default 0. */
  leewaySeconds?: number;
}

/** Why a token was refused: one code each. */
export type TokenErrorCode =
  /** Not an RS256 JWT with a `kid`. */
  | 'TokenMalformed'
  /** `iss` is another pool's (or another issuer's). */
  | 'TokenWrongIssuer'
  /** The `kid` is not in the pool's JWKS, fetched again once. */
  | 'TokenUnknownKid'
  /** The signature does not verify (a tampered or forged token). */
  | 'TokenBadSignature'
  /** An ID token given as an access token, or the other way round (`token_use`). */
  | 'TokenWrongUse'
  /** Issued to another app client (`client_id` / `aud`). */
  | 'TokenWrongClient'
  /** `exp` has passed (beyond the leeway), or the token has none. */
  | 'TokenExpired'
  /** `nbf` is still ahead (beyond the leeway). */
  | 'TokenNotYetValid';

/** A refused token (a `Token*` code: answer 401), or `NetworkError` / `InvalidResponse` when
 * the JWKS could not be fetched (answer 503), or `InvalidInput` (bad options, a token that is
 * not a string). `name` is the code too, as in the browser API's errors. */
export interface TokenError extends Error {
  code: TokenErrorCode | 'NetworkError' | 'InvalidResponse' | 'InvalidInput';
  name: TokenError['code'];
  /** The JWKS reply's HTTP status, when that failed. */
  status?: number;
  /** True when trying again later may succeed (the JWKS fetch failed). */
  retryable: boolean;
}

/** Claims of a Cognito access token (others may be present: `cognito:groups`, custom ones). */
export interface AccessTokenClaims {
  sub: string;
  iss: string;
  client_id: string;
  token_use: 'access';
  scope: string;
  username: string;
  exp: number;
  iat: number;
  auth_time: number;
  jti: string;
  origin_jti?: string;
  event_id?: string;
  'cognito:groups'?: string[];
  [claim: string]: unknown;
}

/** Claims of a Cognito ID token (the user's attributes are among them). */
export interface IdTokenClaims {
  sub: string;
  iss: string;
  aud: string;
  token_use: 'id';
  'cognito:username': string;
  exp: number;
  iat: number;
  auth_time: number;
  email?: string;
  email_verified?: boolean;
  'cognito:groups'?: string[];
  [claim: string]: unknown;
}

export interface Verifier {
  /** The claims of a valid access token; rejects with a `TokenError`. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  /** The claims of a valid ID token; rejects with a `TokenError`. */
  verifyIdToken(token: string): Promise<IdTokenClaims>;
}

/** A verifier for one app client of one user pool (throws `InvalidInput` for bad options). */
export function createVerifier(options: VerifierOptions): Verifier;
