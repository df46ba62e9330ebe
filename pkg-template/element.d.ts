/**
 * cognito-wasm/element — drop-in login for static sites (no build step). Importing this module
 * defines the custom elements; the core module (cognito_wasm.js + wasm) is loaded only when a
 * `<cognito-login>` connects to the document.
 *
 * ```html
 * <script type="module" src="/node_modules/cognito-wasm/element.js"></script>
 * <cognito-login user-pool-id="us-east-1_AbC123" client-id="…"></cognito-login>
 * <cognito-signed-in>Hello <cognito-user field="email"></cognito-user> <cognito-sign-out></cognito-sign-out></cognito-signed-in>
 * ```
 *
 * `<cognito-login>` attributes: `user-pool-id`, `client-id` (required); `endpoint`, `storage`,
 * `domain`, `redirect-sign-in` and `redirect-sign-out` (both default to this page's URL, without
 * query or fragment: register it as a callback and sign-out URL of the app client), `mode`
 * (`form`, default, or `hosted`), `providers` (hosted mode: `"Google,Facebook"`),
 * `remember-device` (show the checkbox), `no-sign-up` (hide the sign-up link), `auth-flow`
 * (form mode: `USER_SRP_AUTH`, default; `USER_PASSWORD_AUTH`; `CUSTOM_WITH_SRP`: the password
 * is checked by SRP, then the custom challenges; `CUSTOM_WITHOUT_SRP`: no password field, the
 * custom challenges are the sign-in), `passkeys` (form mode, not with `CUSTOM_WITHOUT_SRP`:
 * choice-based sign-in, Cognito's USER_AUTH; the app client needs `ALLOW_USER_AUTH`. The
 * sign-in screen gets "Sign in with a passkey", shown only when
 * `CognitoAuth.isPasskeySupported()`, which takes the username field and calls
 * `signIn({ username, preferredChallenge: 'WEB_AUTHN' })`, and "Other ways to sign in"
 * (`signIn({ username })`: Cognito lists the user's factors). `SELECT_CHALLENGE` shows one
 * button per factor (passkey, email code, text-message code, password: PASSWORD and
 * PASSWORD_SRP are one button, then a password screen); `EMAIL_OTP` / `SMS_OTP` show the code
 * screen. The signed-in screen gets "Create a passkey" (`registerPasskey()`, a notice on
 * success). Passkeys need a secure context and a relying-party id matching the page's host:
 * `http://localhost`, never `http://127.0.0.1`, in development).
 * It reflects the shown screen in its `screen` attribute (`signIn`, `signUp`, `confirm`,
 * `forgot`, `reset`, `challenge`, `password` (the password factor of `SELECT_CHALLENGE`),
 * `signedIn`, `hosted`) and, on `challenge`, the challenge's name in its `challenge` attribute
 * (`SMS_MFA`, `EMAIL_OTP`, `SMS_OTP`, `SOFTWARE_TOKEN_MFA`, `SELECT_MFA_TYPE`, `MFA_SETUP`,
 * `NEW_PASSWORD_REQUIRED`, `CUSTOM_CHALLENGE`, `SELECT_CHALLENGE`).
 * In hosted mode, a `?code=` / `?error=` callback on this page is completed when the element
 * connects (`handleRedirectCallback`).
 *
 * `dom`: `shadow` (default: the screens in an open shadow root) or `light` (the screens are the
 * element's own children, in the page's DOM, styled by a document-level constructed sheet scoped
 * to `cognito-login[dom=light]`; the element's previous children are replaced). Password
 * managers' content scripts and `document.forms` do not look into shadow roots: choose `light`
 * for them to find the forms. Every screen with fields is a real `<form>` with a submit button
 * (Enter submits), `name` on every input and `autocomplete` `username`, `current-password`,
 * `new-password`, `one-time-code`, `email` (and `name`, `tel`, … for the attributes
 * NEW_PASSWORD_REQUIRED asks for); the screens that set or ask a password for a known user
 * (new password after a code, NEW_PASSWORD_REQUIRED, the password factor) carry a hidden,
 * read-only `autocomplete="username"` input holding the username, so a saved password is filed
 * under the right account. Ids are unique per element (two elements on one page never share one).
 *
 * `lang`: the language of the strings, read from the element's `lang` or its closest ancestor's
 * (`<html lang>`), by primary subtag (`pt-BR` → `pt`): `en` (built in), `es`, `fr`, `de`, `pt`,
 * `ja`, `zh`; anything else is English. Each language but English is one small module,
 * `i18n/<lang>.js`, loaded with `import()` the first time an element shows it (serve the `i18n/`
 * folder next to `element.js`). A later change of `<html lang>` is read when an element connects
 * or its own `lang` changes.
 *
 * Observed attributes: `lang` and `dom` apply at once (the current screen is re-drawn, or moved);
 * `user-pool-id`, `client-id`, `endpoint`, `storage`, `domain`, `redirect-sign-in`,
 * `redirect-sign-out` (changes in one task are coalesced) free the client and start a new one
 * with the new configuration, which reads its stored session; `mode`, `auth-flow`, `passkeys`,
 * `remember-device`, `no-sign-up`, `providers` re-draw the signed-out screen (`signIn` /
 * `hosted`) when it is shown (a flow under way is not interrupted). Each element has its own
 * client, screens and strings; the companions (`<cognito-signed-in>`, `<cognito-user>`, …)
 * follow the element that changed state last.
 *
 * After a wrong code, password or answer the error is announced (`aria-live`) and the field
 * gets the focus back with its text selected. A custom challenge that comes back with the same
 * public parameters after an answer counts as a wrong answer (`cognito-error` code
 * `WrongAnswer`), as when a Define Auth Challenge Lambda re-issues the challenge.
 *
 * Events (bubbling, composed): `cognito-signed-in` (detail: `{ username, claims }`, also on
 * load when a session exists), `cognito-signed-out` (also on load when there is none),
 * `cognito-error` (detail: `{ code, message, error }`).
 *
 * Theming: CSS custom properties `--cognito-accent`, `--cognito-on-accent`,
 * `--cognito-background`, `--cognito-color`, `--cognito-muted`, `--cognito-border`,
 * `--cognito-error`, `--cognito-radius`, `--cognito-font`, `--cognito-max-width`,
 * `--cognito-min-height` (reserved while loading: no layout shift); parts `container`,
 * `screen`, `form`, `title`, `label`, `input`, `checkbox`, `button`, `provider`, `link`,
 * `error`, `notice`, `secret`, `qr` (the TOTP setup QR code, drawn locally by `qr.js`, loaded
 * on first use), `signed-in`. Light and dark follow `prefers-color-scheme`.
 */
import type { CognitoAuth, Session, SignOutResult } from './index.js';

/** Values of the `auth-flow` attribute (the names Amplify uses for the same flows). */
export type CognitoLoginAuthFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH' | 'CUSTOM_WITH_SRP' | 'CUSTOM_WITHOUT_SRP';

/** UI strings; every key can be overridden through `element.strings = { … }`. `{name}`
 * placeholders are filled in. Error texts are `error<Code>`, e.g. `errorNotAuthorizedException`.
 * With `passkeys`: `passkeySignIn`, `otherWays`, `selectChallengeTitle`, the factor labels
 * `factorWEB_AUTHN`, `factorEMAIL_OTP`, `factorSMS_OTP`, `factorPASSWORD`, `createPasskey`, `passkeyCreated`, and the
 * errors `errorUsernameRequired` (a passkey button pressed with an empty username),
 * `errorPasskeyCancelled`, `errorPasskeyNotSupported`, `errorPasskeyAlreadyRegistered`,
 * `errorPasskeyRpMismatch`, `errorPasskeyAborted`, `errorPasskeyFailed`. The overrides are
 * merged over the dictionary of the element's language (then English). */
export type CognitoLoginStrings = Record<string, string>;

export class CognitoLoginElement extends HTMLElement {
  /** The core client (null until `ready` resolves). */
  readonly auth: CognitoAuth | null;
  /** Resolves once the wasm is loaded and the stored session was read. */
  readonly ready: Promise<void>;
  get strings(): CognitoLoginStrings;
  set strings(overrides: Partial<CognitoLoginStrings>);
  /** The language shown (`lang` of the element or the document, when shipped; else `'en'`). */
  readonly language: 'en' | 'es' | 'fr' | 'de' | 'pt' | 'ja' | 'zh';
  /** `dom` attribute: `'shadow'` (default) or `'light'`. */
  readonly dom: 'shadow' | 'light';
  /** `mode` attribute: `'form'` (default) or `'hosted'`. */
  readonly mode: 'form' | 'hosted';
  /** `auth-flow` attribute (`'USER_SRP_AUTH'` when absent). */
  readonly authFlow: CognitoLoginAuthFlow;
  /** The access token (refreshed when close to expiry) for the page's own `fetch` calls, or null. */
  getAccessToken(): Promise<string | null>;
  getSession(): Promise<Session | null>;
  /** Signs out and shows the sign-in screen. In hosted mode (with `domain`) `redirect`
   * defaults to true: the hosted UI's own session ends too, and the page comes back to
   * `redirect-sign-out`. */
  signOut(options?: { global?: boolean; redirect?: boolean }): Promise<SignOutResult>;
}
/** Its children are shown only while signed in. */
export class CognitoSignedInElement extends HTMLElement {}
/** Its children are shown only while signed out. */
export class CognitoSignedOutElement extends HTMLElement {}
/** Text of an ID-token claim of the signed-in user: `field` (`email` by default, `name`, …, or `username`). */
export class CognitoUserElement extends HTMLElement {}
/** A sign-out button for the page's `<cognito-login>` (`global` attribute: GlobalSignOut). */
export class CognitoSignOutElement extends HTMLElement {}
/** The page's `<cognito-login>` access token, or null. */
export function getAccessToken(): Promise<string | null>;

export interface CognitoSignedInDetail { username: string; claims: Record<string, unknown> }
export interface CognitoErrorDetail { code: string; message: string; error: unknown }

declare global {
  interface HTMLElementTagNameMap {
    'cognito-login': CognitoLoginElement;
    'cognito-signed-in': CognitoSignedInElement;
    'cognito-signed-out': CognitoSignedOutElement;
    'cognito-user': CognitoUserElement;
    'cognito-sign-out': CognitoSignOutElement;
  }
  /** The events bubble out of the shadow DOM up to `document` and `window`. */
  interface GlobalEventHandlersEventMap {
    'cognito-signed-in': CustomEvent<CognitoSignedInDetail>;
    'cognito-signed-out': CustomEvent<Record<string, never>>;
    'cognito-error': CustomEvent<CognitoErrorDetail>;
  }
}

/** The attributes of `<cognito-login>` (see the top of this file), for JSX and Vue typings
 * (`cognito-wasm/react`, `cognito-wasm/vue`). Boolean attributes are present or absent. */
export interface CognitoLoginAttributes {
  'user-pool-id': string;
  'client-id': string;
  endpoint?: string;
  storage?: 'local' | 'session' | 'memory' | 'cookie';
  domain?: string;
  'redirect-sign-in'?: string;
  'redirect-sign-out'?: string;
  mode?: 'form' | 'hosted';
  providers?: string;
  'remember-device'?: boolean | '';
  'no-sign-up'?: boolean | '';
  'auth-flow'?: CognitoLoginAuthFlow;
  passkeys?: boolean | '';
  dom?: 'shadow' | 'light';
  lang?: string;
}
