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

/**
 * Where sessions are kept. `'local'` (default) survives reloads and is shared by tabs;
 * `'session'` is per tab; `'memory'` is gone on reload; `'cookie'` uses `document.cookie`
 * (see `cookie`). `storageKind` reports `'custom'` for an app-provided store, and
 * `'memory'` after a fallback.
 */
export type StorageKind = 'local' | 'session' | 'memory' | 'cookie';

/** An app-provided store; each method may return a value or a Promise of it. */
export interface StorageLike {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** Cookie attributes for `storage: 'cookie'`. */
export interface CookieOptions {
  domain?: string;
  /** Default `'/'`. */
  path?: string;
  /** Send only over HTTPS (forced for `sameSite: 'none'`). */
  secure?: boolean;
  /** Default `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Lifetime in days (default 365, as amazon-cognito-identity-js's CookieStorage). */
  expires?: number;
}

/**
 * Auth events. `tokenRefreshFailed`: a refresh failed on a fault (network, 5xx,
 * throttling); the session is kept. `sessionExpired`: Cognito rejected the refresh token
 * (or the tokens expired with none); the session was removed. `storageFallback`: the
 * configured storage threw and the session now lives in memory. Sign-in, sign-out and
 * refreshes in other tabs of the same origin arrive here too (BroadcastChannel).
 */
export type AuthEvent =
  | { type: 'signedIn'; session: Session }
  | { type: 'signedOut' }
  | { type: 'tokenRefreshed'; session: Session }
  | { type: 'tokenRefreshFailed'; session: Session; error: CognitoError }
  | { type: 'sessionExpired' }
  | { type: 'storageFallback' };

/** What `signOut` did. Local state is always cleared, even when revocation failed. */
export interface SignOutResult {
  /** Cognito confirmed the revocation (RevokeToken, `/oauth2/revoke` or GlobalSignOut). */
  revoked: boolean;
  /** Why the revocation failed (e.g. `NetworkError`), else null. */
  error: CognitoError | null;
}

export interface CognitoAuthConfig {
  /** User-pool id, `{region}_{poolName}`, e.g. `us-east-1_AbC123xyz`. */
  userPoolId: string;
  /** App client id (a public client: no client secret in a browser). */
  clientId: string;
  /**
   * User-pool API endpoint. Default: `https://cognito-idp.{region}.amazonaws.com/`.
   * Set it for FIPS or VPC endpoints, a proxy, or a local emulator. The pool's JWKS is fetched
   * from `{endpoint}/{userPoolId}/.well-known/jwks.json` (the API's host, as on AWS).
   */
  endpoint?: string;
  /**
   * The `iss` ID tokens must carry. Default: Cognito's
   * `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` (what Cognito issues whatever
   * endpoint was called) or its updated format
   * `https://issuer-cognito-idp.{region}.amazonaws.com/{userPoolId}` (a pool whose issuer
   * configuration is `UPDATED`), and with a custom `endpoint` also `{endpoint}/{userPoolId}` (what
   * local emulators such as cognito-local issue). Setting it accepts this issuer only.
   * `https://` (`http://` only for localhost); `InvalidInput` otherwise.
   */
  issuer?: string;
  /**
   * Default `'local'`. When the chosen storage is blocked or throws the client falls back
   * to memory and emits `storageFallback`; the constructor never throws because of storage.
   */
  storage?: StorageKind | StorageLike;
  /** Attributes for `storage: 'cookie'`. */
  cookie?: CookieOptions;
  /** `currentSession()` returns tokens valid for at least this many seconds (default 60). */
  refreshLeeway?: number;
  /** Refresh in the background `refreshLeeway` before expiry (paused while the page is hidden). */
  autoRefresh?: boolean;
  /**
   * `'debug'`: one `console.debug` line per request, when its response arrives:
   * `[cognito-wasm] {operation} {status} {ms}ms retries={n}` (status 0: no response). Never
   * a URL, header, body, token, password, code, username or secret. Default `'none'`.
   */
  logLevel?: 'debug' | 'none';
  /**
   * Refresh with GetTokensFromRefreshToken (refresh-token rotation enabled on the app
   * client): the new refresh token is stored in the same write as the new access token.
   */
  refreshTokenRotation?: boolean;
  /**
   * The user-pool domain (hosted UI / managed login), e.g.
   * `https://myprefix.auth.us-east-1.amazoncognito.com` or a custom domain (`http://` only
   * for localhost, e.g. `http://127.0.0.1:PORT` for a local emulator). Needed to refresh and
   * revoke hosted-UI sessions (`/oauth2/token`, `/oauth2/revoke`) and, with
   * `redirectSignIn`, by `signInWithRedirect`, `authorizeUrl`, `handleRedirectCallback`,
   * `getUserInfo` and `signOut({ redirect: true })`.
   */
  domain?: string;
  /**
   * App client secret, for clients created with one. NOT recommended in browsers: anything
   * shipped to a page is public. When set it is sent as SECRET_HASH / SecretHash wherever
   * Cognito takes it (with USER_ID_FOR_SRP after the password step, the token's username on
   * refresh), as ClientSecret to RevokeToken, and as HTTP Basic auth to the OAuth endpoints.
   */
  clientSecret?: string;
  /** Issuer shown by authenticator apps in `totpUri` (default `'AWSCognito'`). */
  totpIssuer?: string;
  /**
   * Identity pool for `getAwsCredentials` / `signRequest` / `fetchSigned` / `presignUrl`:
   * `{region}:{uuid}`, e.g. `us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`. Its region is the
   * default signing region.
   */
  identityPoolId?: string;
  /**
   * Identity-pool API endpoint. Default: `https://cognito-identity.{region}.amazonaws.com/`.
   * (`http://` only for localhost emulators.)
   */
  identityEndpoint?: string;
  /**
   * STS endpoint for `getAwsCredentials({ roleArn })` (the basic flow). Default:
   * `https://sts.{region}.amazonaws.com/` (the identity pool's region). (`http://` only for
   * localhost emulators.)
   */
  stsEndpoint?: string;
  /** Hosted UI: where Cognito sends the browser back after sign-in. Must be one of the app
   * client's callback URLs, exactly. Required with `domain`. */
  redirectSignIn?: string;
  /** Hosted UI: where `/logout` sends the browser. Must be one of the app client's sign-out
   * URLs, exactly. Required for `signOut({ redirect: true })`. */
  redirectSignOut?: string;
  /** Hosted UI: OAuth scopes. Default `['openid', 'email', 'profile']`. */
  scopes?: string[];
}

/** Temporary AWS credentials from the identity pool (`GetCredentialsForIdentity`). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** When they expire (the service's clock). The library renews them before that. */
  expiration: Date;
  /** The Cognito identity they belong to (a guest identity when nobody is signed in). */
  identityId: string;
}

/** Explicit credentials for signing (instead of the identity pool's). */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  /** SigV4 service name: `'execute-api'` (API Gateway), `'lambda'` (function URLs), `'appsync'`, `'s3'`, … */
  service: string;
  /** Signing region. Default: the identity pool's region. */
  region?: string;
  /** Sign with these instead of the identity pool's credentials. */
  credentials?: SigningCredentials;
  /**
   * Sign with the credentials of this role, from the identity pool's basic flow (see
   * `getAwsCredentials({ roleArn })`; cached per role). Ignored with `credentials`.
   */
  roleArn?: string;
  /**
   * Send `X-Amz-Content-SHA256: UNSIGNED-PAYLOAD` and leave the body out of the signature
   * (S3 uploads over https). Default: the body's SHA-256 is signed.
   */
  unsignedPayload?: boolean;
}

/** A request described as a plain object. The body must be a string, ArrayBuffer or typed array. */
export interface RequestDescription {
  url: string;
  /** Default `'GET'`. */
  method?: string;
  headers?: Headers | [string, string][] | Record<string, string>;
  body?: string | ArrayBuffer | ArrayBufferView | null;
}

/** Options of one hosted-UI sign-in. */
export interface RedirectSignInOptions {
  /**
   * Skip the hosted UI's own page and go straight to a provider: `'Google'`, `'Facebook'`,
   * `'Amazon'` (= `LoginWithAmazon`), `'Apple'` (= `SignInWithApple`), `'COGNITO'`, or the name
   * of a SAML/OIDC provider of the pool (`identity_provider`).
   */
  provider?: string;
  /** An identifier Cognito maps to a SAML/OIDC provider, e.g. an email domain (`idp_identifier`). */
  idpIdentifier?: string;
  /** Scopes for this sign-in (default: the config's `scopes`). */
  scopes?: string[];
  /** Your own value, handed back by `handleRedirectCallback` (e.g. the route to return to).
   * Kept in sessionStorage; it is not sent to Cognito. */
  state?: string;
  /** Hosted UI language (`lang`), e.g. `'fr'`. */
  lang?: string;
  /** OIDC `prompt`, e.g. `'login'`. */
  prompt?: string;
}

/** What `handleRedirectCallback` resolves with. */
export interface RedirectSignInResult {
  type: 'signedIn';
  session: Session;
  /** The `state` passed to `signInWithRedirect`/`authorizeUrl`, or null. */
  state: string | null;
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

/** An MFA method. */
export type MfaType = 'SMS_MFA' | 'EMAIL_OTP' | 'SOFTWARE_TOKEN_MFA';

/**
 * A first factor of choice-based sign-in (USER_AUTH): a passkey, a one-time code by email
 * or SMS, or the password (sent over TLS, `'PASSWORD'`, or proven by SRP, `'PASSWORD_SRP'`).
 */
export type FirstFactor = 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP' | 'PASSWORD' | 'PASSWORD_SRP';

/** Where Cognito sent a code (destination masked by Cognito, e.g. `a***@e***`). */
export interface CodeDelivery {
  medium?: 'SMS' | 'EMAIL' | (string & {});
  destination?: string;
  attributeName?: string;
}

interface ChallengeBase {
  type: 'challenge';
  /** The user id Cognito uses for this sign-in (USER_ID_FOR_SRP). */
  username: string;
  /** Challenge parameters as Cognito sent them (SRP values removed). */
  parameters: Record<string, string>;
}

/**
 * A challenge the app must answer with `respondToChallenge(...)`. A wrong code rejects
 * with `CodeMismatchException` and the challenge stays answerable until Cognito says the
 * session expired (`NotAuthorizedException`).
 */
export type Challenge =
  /** Answer `{ newPassword, attributes: { [name]: value } }` with every `requiredAttributes` name. */
  | (ChallengeBase & {
      name: 'NEW_PASSWORD_REQUIRED';
      /** Attribute names (without the `userAttributes.` prefix) the user must give. */
      requiredAttributes: string[];
      /** The user's current attributes (`email_verified`/`phone_number_verified` removed). */
      userAttributes: Record<string, string>;
    })
  /**
   * Answer `{ code }` with the code sent by SMS / email: MFA after a password (`SMS_MFA`,
   * `EMAIL_OTP`), or the passwordless first factor of USER_AUTH (`EMAIL_OTP`, `SMS_OTP`).
   */
  | (ChallengeBase & { name: 'SMS_MFA' | 'EMAIL_OTP' | 'SMS_OTP'; codeDelivery: CodeDelivery })
  /**
   * USER_AUTH: pick a first factor from `availableChallenges` (`WEB_AUTHN` only when the
   * user has a passkey, `EMAIL_OTP` / `SMS_OTP` only with a verified email / phone number).
   * Answer `{ answer: 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP' }`,
   * `{ answer: 'PASSWORD' | 'PASSWORD_SRP', password }`, or `{ password }` alone
   * (PASSWORD_SRP when offered, else PASSWORD). `WEB_AUTHN` runs the passkey ceremony and
   * resolves signed in, like `signIn({ username, preferredChallenge: 'WEB_AUTHN' })`.
   */
  | (ChallengeBase & { name: 'SELECT_CHALLENGE'; availableChallenges: FirstFactor[] })
  /**
   * Left pending only when the passkey ceremony failed (the promise rejected with a
   * `Passkey*` code and nothing was sent to Cognito): `respondToChallenge({ answer:
   * 'WEB_AUTHN' })` runs `navigator.credentials.get` again with the same options. (Normally
   * the library answers WEB_AUTHN itself and the app never sees it.)
   */
  | (ChallengeBase & { name: 'WEB_AUTHN' })
  /** Answer `{ code }` with the authenticator app's current code. */
  | (ChallengeBase & { name: 'SOFTWARE_TOKEN_MFA' })
  /** Answer `{ mfaType }` with one of `allowedMfaTypes`. */
  | (ChallengeBase & { name: 'SELECT_MFA_TYPE'; allowedMfaTypes: MfaType[] })
  /**
   * The pool requires MFA and the user has none: the library already called
   * AssociateSoftwareToken. Show `secretCode` / `totpUri` (as a QR code), then answer
   * `{ code, deviceName? }` with the app's first code (VerifySoftwareToken, then sign-in
   * continues). `secretCode`/`totpUri` are absent when TOTP is not among `allowedMfaTypes`.
   */
  | (ChallengeBase & { name: 'MFA_SETUP'; allowedMfaTypes: MfaType[]; secretCode?: string; totpUri?: string })
  /** CUSTOM_AUTH: answer `{ answer, clientMetadata? }`; `parameters` are the Lambda's public ones. */
  | (ChallengeBase & { name: 'CUSTOM_CHALLENGE' });
// Any other challenge (one Cognito adds later, an admin-only one) rejects the call with
// `UnsupportedChallenge` instead of resolving: so `r.name === '…'` narrows this union.

/**
 * A device Cognito started tracking at this sign-in (ConfirmDevice done by the library; the
 * device key, group key and device password are stored in the amazon-cognito-identity-js
 * layout). `remembered: false` means the pool remembers devices on the user's opt-in:
 * call `rememberDevice()`. `null` when Cognito refused ConfirmDevice (the sign-in stands).
 */
export interface NewDeviceInfo {
  deviceKey: string;
  remembered: boolean;
}

/** The result of a sign-in step: either a session, or a challenge the app must answer. */
export type SignInResult = { type: 'signedIn'; session: Session; newDevice?: NewDeviceInfo | null } | Challenge;

/** A device from `listDevices()` or `getDevice()`. Dates are ms since the epoch. */
export interface DeviceInfo {
  deviceKey: string;
  /** `device_name` (this library sends `navigator.userAgent`). */
  name: string | null;
  /** `dev:device_remembered_status` is `remembered`. */
  remembered: boolean;
  createdAt: number | null;
  lastModifiedAt: number | null;
  lastAuthenticatedAt: number | null;
  /** Every device attribute as Cognito sent it. */
  attributes: Record<string, string>;
}

export interface SignInInput {
  /**
   * The user name (or an alias). Required in every flow, USER_AUTH included: Cognito has no
   * username-less (discoverable-credential) passkey sign-in, so the library offers none.
   */
  username: string;
  /**
   * With a password and no `authFlow`/`preferredChallenge`: USER_SRP_AUTH, as always.
   * Without one (and without `authFlow`): choice-based sign-in, USER_AUTH. Required for
   * `USER_SRP_AUTH`, `USER_PASSWORD_AUTH` and the `PASSWORD` / `PASSWORD_SRP` factors.
   */
  password?: string;
  /**
   * `'USER_SRP_AUTH'` (default with a password: the password never leaves the page),
   * `'USER_PASSWORD_AUTH'` (the password is sent over TLS; needed by user-migration Lambda
   * triggers), `'CUSTOM_AUTH'` (Lambda-defined challenges) or `'USER_AUTH'` (choice-based:
   * passkeys, email/SMS codes, password; the default without a password or with
   * `preferredChallenge`). The app client needs `ALLOW_USER_AUTH` for USER_AUTH.
   */
  authFlow?: 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';
  /**
   * USER_AUTH: the first factor to try (`PREFERRED_CHALLENGE`). `'WEB_AUTHN'` runs the
   * passkey ceremony (`navigator.credentials.get`) and resolves signed in — one call;
   * `'EMAIL_OTP'` / `'SMS_OTP'` resolve with the code challenge; `'PASSWORD'` /
   * `'PASSWORD_SRP'` need `password` and continue like USER_PASSWORD_AUTH / USER_SRP_AUTH
   * (MFA and NEW_PASSWORD_REQUIRED as usual). When the user cannot use the preferred factor
   * (e.g. no passkey registered), Cognito answers `SELECT_CHALLENGE` instead. Without it,
   * `SELECT_CHALLENGE` lists what the user can use (a `password` given without
   * `preferredChallenge` prefers `PASSWORD_SRP`).
   */
  preferredChallenge?: FirstFactor;
  /** Passed to the Lambda triggers (USER_PASSWORD_AUTH, CUSTOM_AUTH and USER_AUTH). */
  clientMetadata?: Record<string, string>;
}

/** A passkey from `listPasskeys()`. `createdAt` is ms since the epoch. */
export interface PasskeyInfo {
  /** Base64url (no padding) credential id: WebAuthn's `PublicKeyCredential.id`. */
  credentialId: string;
  friendlyName: string | null;
  relyingPartyId: string | null;
  authenticatorAttachment: 'platform' | 'cross-platform' | (string & {}) | null;
  /** e.g. `['internal']`, `['usb', 'nfc']`, `['hybrid']`. */
  transports: string[];
  createdAt: number | null;
}

/** The answer to the pending challenge; which field depends on `Challenge['name']`. */
export type ChallengeAnswer =
  | { code: string; deviceName?: string; clientMetadata?: Record<string, string> }
  | { newPassword: string; attributes?: Record<string, string>; clientMetadata?: Record<string, string> }
  | { mfaType: MfaType; clientMetadata?: Record<string, string> }
  /** CUSTOM_CHALLENGE's answer, SELECT_CHALLENGE's pick (with `password` for the password
   * factors), or `'WEB_AUTHN'` to retry a failed passkey ceremony. */
  | { answer: string; password?: string; clientMetadata?: Record<string, string> }
  /** SELECT_CHALLENGE: sign in with the password (PASSWORD_SRP when offered, else PASSWORD). */
  | { password: string; clientMetadata?: Record<string, string> };

export interface SignUpInput {
  username: string;
  password: string;
  /** User attributes, e.g. `{ email: 'a@example.com', name: 'Ann' }`. */
  attributes?: Record<string, string>;
  /** For a pre-sign-up Lambda trigger. */
  validationData?: Record<string, string>;
  clientMetadata?: Record<string, string>;
  /**
   * Sign in as soon as `confirmSignUp` succeeds for this username.
   * - `true`: with the `Session` ConfirmSignUp returns (InitiateAuth `USER_AUTH`, as Amplify's
   *   autoSignIn): the confirmation code counts as the first factor and the password is not
   *   kept. The app client needs `ALLOW_USER_AUTH`; without it (or without a Session from
   *   Cognito) `confirmSignUp` resolves `{ type: 'confirmed', autoSignInError }`.
   * - `'password'`: the fallback for app clients without `ALLOW_USER_AUTH`: USER_SRP_AUTH with
   *   the password, which is kept in wasm memory until then (wiped afterwards).
   */
  autoSignIn?: boolean | 'password';
}

export interface SignUpResult {
  userConfirmed: boolean;
  userSub: string;
  /** Where the confirmation code went; `null` when none was sent. */
  codeDelivery: CodeDelivery | null;
}

/**
 * `confirmed`, or — after `signUp({ autoSignIn })` — the sign-in's result. `autoSignInError`:
 * the account is confirmed but the automatic sign-in (`autoSignIn: true`) did not happen.
 */
export type ConfirmSignUpResult = { type: 'confirmed'; autoSignInError?: CognitoError } | SignInResult;

export interface UserInfo {
  username: string;
  /** Every attribute as a string, including `sub`. */
  attributes: Record<string, string>;
  preferredMfa: MfaType | null;
  /** Enabled MFA methods. */
  mfaMethods: MfaType[];
}

/** `'preferred'` = enabled and asked first. */
export type MfaSetting = 'disabled' | 'enabled' | 'preferred';

export interface TotpSetup {
  /** Base32 secret for manual entry. */
  secretCode: string;
  /** `otpauth://totp/{issuer}:{username}?secret=...&issuer=...` for a QR code. */
  totpUri: string;
}

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
    /** Hosted UI: the callback does not belong to the sign-in in progress in this tab
     * (already handled, `state` missing or different, attempt expired after 30 minutes). */
    | 'InvalidState'
    /** An ID token failed verification: RS256 signature against the pool's JWKS, unknown `kid`
     * (after one refetch), `iss`, `aud`, `token_use`, `exp` (5-minute leeway) or `nonce`. */
    | 'InvalidIdToken'
    /** Hosted UI: OAuth errors, passed through with the server's `error_description` as the
     * message: `access_denied` (the user cancelled), `invalid_request`, `invalid_scope`,
     * `unauthorized_client`, `server_error`, … on the callback; `invalid_grant` (code used,
     * expired, or PKCE mismatch), `invalid_client`, `unsupported_grant_type` from
     * `/oauth2/token`; `invalid_token`, `insufficient_scope` from `/oauth2/userInfo`. */
    | 'access_denied'
    | 'invalid_request'
    | 'invalid_scope'
    | 'invalid_grant'
    | 'invalid_client'
    | 'invalid_token'
    /** The call needs a signed-in user and there is no session. */
    | 'NotSignedIn'
    | 'CodeMismatchException'
    | 'ExpiredCodeException'
    | 'InvalidPasswordException'
    | 'UsernameExistsException'
    | 'EnableSoftwareTokenMFAException'
    /** Passkeys: no WebAuthn here (not a secure context, no `PublicKeyCredential`, or the
     * browser's `NotSupportedError`). */
    | 'PasskeyNotSupported'
    /** The browser's `NotAllowedError`: the user cancelled or the prompt timed out, user
     * verification failed, or no authenticator holds an allowed passkey. */
    | 'PasskeyCancelled'
    /** The browser's `InvalidStateError` in `registerPasskey`: this authenticator already
     * holds one of the user's passkeys (Cognito lists them in `excludeCredentials`). */
    | 'PasskeyAlreadyRegistered'
    /** The browser's `SecurityError`: the pool's relying-party id is not this page's domain
     * (or a registrable suffix of it). */
    | 'PasskeyRpMismatch'
    /** The browser's `AbortError`. */
    | 'PasskeyAborted'
    /** Any other WebAuthn failure. */
    | 'PasskeyFailed'
    /** Cognito asked for a challenge this library cannot answer (added after this release,
     * or admin-only); the message names it. The sign-in cannot go on. */
    | 'UnsupportedChallenge'
    /** Cognito's WebAuthn errors: passkeys not enabled on the pool, no relying-party id
     * configured, a registration with no (or an expired) StartWebAuthnRegistration, a
     * credential for another RP id / origin / client, an unsupported key type. */
    | 'WebAuthnNotEnabledException'
    | 'WebAuthnConfigurationMissingException'
    | 'WebAuthnChallengeNotFoundException'
    | 'WebAuthnRelyingPartyMismatchException'
    | 'WebAuthnOriginNotAllowedException'
    | 'WebAuthnClientMismatchException'
    | 'WebAuthnCredentialNotSupportedException'
    | (string & {});
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** True when trying again later may succeed (network faults, 5xx, throttling). */
  retryable: boolean;
}

/** `getCurrentUser()`: the signed-in user as stored (Amplify's `getCurrentUser` shape). */
export interface CurrentUser {
  /** The Cognito username (`LastAuthUser`). */
  username: string;
  /** The ID token's `sub`. */
  userId: string;
}

/** `decodeJwt`: a JWT's header and payload, decoded as UTF-8 JSON and NOT verified. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Decodes (does not verify) a JWT's header and payload, as UTF-8 (claims with non-ASCII
 * characters decode correctly, unlike `JSON.parse(atob(...))`). Throws `InvalidInput` for
 * anything that is not three base64url parts with JSON objects. Needs no `init()`.
 */
export function decodeJwt(token: string): DecodedJwt;

/** What `configFromAmplify` maps an Amplify configuration to. */
export interface AmplifyMappedConfig extends Pick<CognitoAuthConfig, 'userPoolId' | 'clientId' | 'endpoint' | 'domain' | 'redirectSignIn' | 'redirectSignOut' | 'scopes' | 'identityPoolId' | 'identityEndpoint'> {
  /** The pool's MFA setting as Amplify reports it (informational: the pool enforces it). */
  mfa?: { status: 'off' | 'on' | 'optional'; totpEnabled: boolean; smsEnabled: boolean };
}

/**
 * Maps an Amplify configuration — `amplify_outputs.json` (Gen 2), `aws-exports.js` /
 * `amplifyconfiguration.json` (Gen 1), or the `ResourcesConfig` Amplify's
 * `parseAmplifyConfig` returns (which alone carries `userPoolEndpoint` /
 * `identityPoolEndpoint`) — to this library's configuration: user pool, app client,
 * endpoint, identity pool, hosted-UI domain (as an `https://` origin), redirects (the one on
 * the page's origin when several are listed, else the first, as Amplify) and scopes, MFA.
 * Throws `InvalidInput` when it is none of those or has no user pool and client. Needs
 * `init()` with the full engine (not the smaller ones).
 */
export function configFromAmplify(config: object): AmplifyMappedConfig;

export class CognitoAuth {
  /**
   * `new CognitoAuth({ ...configFromAmplify(config), ...options })`: an app that migrates
   * from Amplify keeps its configuration file; `options` adds or overrides members
   * (storage, autoRefresh, …).
   */
  static fromAmplifyConfig(config: object, options?: Partial<CognitoAuthConfig>): CognitoAuth;
  constructor(config: CognitoAuthConfig);
  /**
   * Sign in. With a password: Cognito's SRP protocol (USER_SRP_AUTH), the password never
   * leaves the page. Without one, or with `preferredChallenge`: choice-based sign-in
   * (USER_AUTH: passkey, email/SMS code, password). Resolves with a session or a challenge
   * to answer with `respondToChallenge`. Throttled or 5xx InitiateAuth calls are retried
   * (3 tries, exponential backoff + jitter).
   */
  signIn(input: SignInInput): Promise<SignInResult>;
  /**
   * Answer the challenge the last `signIn`/`respondToChallenge` returned. Rejects with
   * `InvalidInput` when no challenge is pending or the answer does not fit it.
   * Never retried automatically (a code is one-time).
   */
  respondToChallenge(answer: ChallengeAnswer): Promise<SignInResult>;

  /** SignUp; the confirmation code goes to `codeDelivery`. */
  signUp(input: SignUpInput): Promise<SignUpResult>;
  confirmSignUp(input: { username: string; code: string; clientMetadata?: Record<string, string> }): Promise<ConfirmSignUpResult>;
  /** ResendConfirmationCode. */
  resendSignUpCode(input: { username: string; clientMetadata?: Record<string, string> }): Promise<{ codeDelivery: CodeDelivery | null }>;
  /** ForgotPassword: sends a reset code. */
  forgotPassword(input: { username: string; clientMetadata?: Record<string, string> }): Promise<{ codeDelivery: CodeDelivery | null }>;
  /** ConfirmForgotPassword: the code and the new password. */
  confirmForgotPassword(input: { username: string; code: string; newPassword: string; clientMetadata?: Record<string, string> }): Promise<void>;

  // The calls below use the stored session's access token (NotSignedIn without one).
  /** GetUser (retried when throttled). */
  getUser(): Promise<UserInfo>;
  changePassword(input: { oldPassword: string; newPassword: string }): Promise<void>;
  /**
   * UpdateUserAttributes. Changing `email`/`phone_number` sends a code (one
   * `codeDeliveries` entry each): confirm it with `verifyUserAttribute`.
   */
  updateUserAttributes(input: { attributes: Record<string, string>; clientMetadata?: Record<string, string> }): Promise<{ codeDeliveries: CodeDelivery[] }>;
  /** GetUserAttributeVerificationCode. */
  sendUserAttributeVerificationCode(input: { name: 'email' | 'phone_number' | (string & {}); clientMetadata?: Record<string, string> }): Promise<{ codeDelivery: CodeDelivery | null }>;
  verifyUserAttribute(input: { name: string; code: string }): Promise<void>;
  /** DeleteUserAttributes (retried when throttled). */
  deleteUserAttributes(input: { names: string[] }): Promise<void>;
  /** SetUserMFAPreference; omitted methods are left as they are (retried when throttled). */
  setMfaPreference(input: { sms?: MfaSetting; totp?: MfaSetting; email?: MfaSetting }): Promise<void>;
  /** AssociateSoftwareToken: a new TOTP secret for the signed-in user. */
  setUpTotp(): Promise<TotpSetup>;
  /** VerifySoftwareToken with the app's first code; then enable it with `setMfaPreference`. */
  verifyTotp(input: { code: string; deviceName?: string }): Promise<void>;
  /** DeleteUser; also forgets the local session and device. */
  deleteUser(): Promise<void>;

  // Remembered devices. After a sign-in that returned `newDevice`, the next `signIn` of that
  // user sends DEVICE_KEY and answers DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER itself, so a
  // remembered device skips MFA where the pool allows it. A device Cognito no longer knows
  // (ResourceNotFoundException) is forgotten locally and the sign-in retried without it.
  /** UpdateDeviceStatus(remembered) for this browser's device. */
  rememberDevice(): Promise<void>;
  /** UpdateDeviceStatus(not_remembered) for this browser's device. */
  doNotRememberDevice(): Promise<void>;
  /** ForgetDevice: this browser's device (also forgotten locally), or another by key. */
  forgetDevice(input?: { deviceKey?: string }): Promise<void>;
  /** ListDevices: every device of the user (all pages, 60 per request). */
  listDevices(): Promise<DeviceInfo[]>;
  /**
   * GetDevice: this browser's remembered device, or another by key (`InvalidInput` when no
   * key is given and this browser has none; `ResourceNotFoundException` for a key Cognito
   * does not know).
   */
  getDevice(input?: { deviceKey?: string }): Promise<DeviceInfo>;

  // Passkeys (WebAuthn). The pool needs WebAuthn configured (relying-party id = your site's
  // domain, user verification) and the app client ALLOW_USER_AUTH; sign in with them via
  // `signIn({ username, preferredChallenge: 'WEB_AUTHN' })`. Browser failures reject with
  // the `Passkey*` codes of `CognitoError`.
  /**
   * True where passkeys can work: a secure context (https or localhost) with WebAuthn
   * (`PublicKeyCredential`, `navigator.credentials`). Synchronous; knows nothing of the pool.
   */
  static isPasskeySupported(): boolean;
  /**
   * Registers a passkey for the signed-in user: StartWebAuthnRegistration →
   * `navigator.credentials.create` (Cognito's options: relying party, user handle,
   * `excludeCredentials`, `authenticatorSelection`) → CompleteWebAuthnRegistration.
   * Resolves with the new credential's id. An authenticator that already holds one of the
   * user's passkeys rejects with `PasskeyAlreadyRegistered`; a cancelled prompt with
   * `PasskeyCancelled`.
   */
  registerPasskey(): Promise<{ credentialId: string }>;
  /**
   * ListWebAuthnCredentials. Without arguments every page is fetched (`nextToken` is then
   * null); with `{ maxResults?: 1..20, nextToken? }` one page is returned and `nextToken`
   * continues it (null on the last page). Retried when throttled.
   */
  listPasskeys(page?: { maxResults?: number; nextToken?: string }): Promise<{ passkeys: PasskeyInfo[]; nextToken: string | null }>;
  /** DeleteWebAuthnCredential (`ResourceNotFoundException` for an unknown id). The passkey
   * stays in the authenticator; the browser cannot remove it. */
  deletePasskey(credentialId: string): Promise<void>;

  /**
   * Compute the SRP ephemeral key for the next `signIn` now (a few milliseconds of CPU), so
   * that pressing "Sign in" only costs the password-dependent half. Call it when the
   * sign-in form is shown or focused. Optional: `signIn` computes it itself when needed.
   */
  prepareSignIn(): void;
  /** The storage actually in use: `'memory'` when the configured storage was blocked. */
  readonly storageKind: StorageKind | 'custom';
  /**
   * The session, refreshed first when it expires within `refreshLeeway` (one refresh per
   * tab, and one across tabs: Web Locks, else a storage lease; a tab that waited uses the
   * tokens another tab obtained). `null` when signed out, or when Cognito rejected the
   * refresh token (then `sessionExpired`). Network errors, 5xx and throttling are retried
   * with backoff and never sign out: the still-valid tokens are returned, or, if they have
   * expired, the promise rejects with the typed error and the session stays stored.
   *
   * `{ forceRefresh: true }`: refreshes even when the tokens are fresh (new claims after an
   * attribute or group change), through the same single refresh: a refresh already running
   * in this tab or another is joined, not repeated. `null` when signed out or when Cognito
   * rejects the refresh token (then `sessionExpired`); `InvalidInput` when not a boolean.
   */
  currentSession(options?: { forceRefresh?: boolean }): Promise<Session | null>;
  /**
   * Who is signed in on this device, read from storage alone: no request, no refresh
   * (the tokens may have expired; `currentSession()` says whether the session still works).
   * `{ username, userId }` (`LastAuthUser` and the ID token's `sub`) or `null`.
   * Synchronous for `'local'`, `'session'`, `'cookie'` and `'memory'` storage, and for a
   * custom storage whose `getItem` returns a value; a custom storage whose `getItem` returns
   * a promise throws `InvalidInput` (use `currentSession()`), one that throws
   * `StorageUnavailable`.
   */
  getCurrentUser(): CurrentUser | null;
  /**
   * Sign out: clears local state (and tells other tabs) first, then revokes the refresh
   * token (RevokeToken, or `/oauth2/revoke` for hosted-UI sessions); `{ global: true }`
   * uses GlobalSignOut, which ends every session of the user on every device. Never rejects
   * because of the network: see `SignOutResult`. Also forgets the AWS credentials and the
   * user's identity id (a guest identity id is kept, as in Amplify). `{ redirect: true }`
   * (hosted UI): after that, navigate to `/logout?client_id&logout_uri=redirectSignOut`, which
   * ends the hosted UI's own session and comes back to `redirectSignOut` (rejects with
   * `InvalidInput`, before doing anything, when `domain`/`redirectSignIn`/`redirectSignOut`
   * are not configured).
   */
  signOut(options?: { global?: boolean; redirect?: boolean }): Promise<SignOutResult>;
  /** Listen to auth events; returns a function that removes the listener. */
  onAuthStateChange(listener: (event: AuthEvent) => void): () => void;
  /**
   * Temporary AWS credentials from the identity pool (`identityPoolId` in the config): the
   * signed-in user's (their ID token in the `Logins` map), or a guest's when nobody is signed
   * in and the pool allows unauthenticated identities. Cached in memory and renewed before
   * `expiration` (5 minutes before, or in the last quarter of a shorter lifetime) and when
   * the user's tokens change; concurrent calls share one request. The identity id is kept in
   * storage. `forceRefresh` fetches new credentials now.
   * Rejects with `InvalidInput` when no identity pool is configured, or with the service's
   * error (`NotAuthorizedException` when guests are not allowed or the ID token expired).
   *
   * `roleArn`: the basic (classic) flow, for pools with basic authentication allowed
   * (`AllowClassicFlow`): GetId → GetOpenIdToken → STS `AssumeRoleWithWebIdentity` for this
   * role, whose trust policy must accept the pool's identities. The same object, cached per
   * role; forgotten on sign-out. Rejects with `InvalidInput` for a malformed ARN, Cognito's
   * `InvalidParameterException` when the pool does not allow the basic flow, or STS's error
   * (`AccessDenied` when the role does not trust the identity, `InvalidIdentityToken`, …).
   */
  getAwsCredentials(options?: { forceRefresh?: boolean; roleArn?: string }): Promise<AwsCredentials>;
  /**
   * Signs a request with AWS Signature Version 4. Adds `X-Amz-Date`, `X-Amz-Security-Token`,
   * `Authorization` (and `X-Amz-Content-SHA256` for S3 or an unsigned payload). A `Request`
   * resolves to a new `Request` (its body was read from a clone); a description resolves to
   * the same object with `url` normalised and `headers` as a plain object.
   * The signature uses the local clock: a clock more than 5 minutes off is refused by AWS.
   */
  signRequest(request: Request, options: SignOptions): Promise<Request>;
  signRequest<T extends RequestDescription>(request: T, options: SignOptions): Promise<T & { url: string; method: string; headers: Record<string, string> }>;
  /** `fetch(url, init)` signed with the identity pool's credentials (see `signRequest`). */
  fetchSigned(url: string, init: RequestInit | undefined, options: SignOptions): Promise<Response>;
  /**
   * A presigned GET URL (query-string SigV4 with `X-Amz-Expires`), e.g. for an S3 object:
   * anyone with the URL can use it until it expires, so do not log it.
   * `service` defaults to `'s3'`, `expiresIn` (seconds, 1 to 604800) to 900.
   */
  presignUrl(url: string, options?: Partial<SignOptions> & { expiresIn?: number }): Promise<string>;
  /**
   * Hosted UI: the `/oauth2/authorize` URL for a new sign-in (authorization code + PKCE S256,
   * random `state` and `nonce`). Stores this attempt's one-time PKCE verifier, state and nonce
   * in sessionStorage (one attempt per client and tab; a new call replaces it). Use it for
   * popups or your own navigation; `signInWithRedirect` navigates for you.
   */
  authorizeUrl(options?: RedirectSignInOptions): string;
  /** Hosted UI: `location.assign(authorizeUrl(options))`. */
  signInWithRedirect(options?: RedirectSignInOptions): Promise<void>;
  /**
   * Hosted UI: completes the sign-in on the `redirectSignIn` page. Reads `url` (default
   * `location.href`; the reply may be in the query or the fragment), checks `state` exactly,
   * removes `code`/`state` from the address bar (`history.replaceState`), exchanges the code
   * at `/oauth2/token` with the PKCE verifier, verifies the ID token (signature, `iss`, `aud`,
   * `token_use`, `exp`, `nonce`), stores the session (marked `tokenSource = hostedUI`) and
   * resolves with it and your `state`. The attempt is used up first, so calling it again with
   * the same URL rejects with `InvalidState` without a second token request. Rejects with the
   * OAuth error as `code` (`access_denied`, …) when Cognito returned one.
   */
  handleRedirectCallback(url?: string): Promise<RedirectSignInResult>;
  /**
   * Verifies an ID token of this user pool and app client: RS256 signature with WebCrypto
   * against the pool's JWKS (fetched once per client, refetched once for an unknown `kid`),
   * `iss`, `aud`, `token_use === 'id'`, `exp` (5-minute leeway). Resolves with its claims;
   * rejects with `InvalidIdToken`. Needs a secure context (https or localhost) for WebCrypto.
   */
  verifyIdToken(token: string): Promise<Record<string, unknown>>;
  /** Hosted UI: `GET /oauth2/userInfo` with the stored access token (needs the `openid` scope). */
  getUserInfo(): Promise<Record<string, unknown>>;
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
