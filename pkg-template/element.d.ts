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
 * `domain`, `redirect-sign-in` (default: this page's URL), `redirect-sign-out`, `mode`
 * (`form`, default, or `hosted`), `providers` (hosted mode: `"Google,Facebook"`),
 * `remember-device` (show the checkbox), `no-sign-up` (hide the sign-up link).
 * It reflects the shown screen in its `screen` attribute (`signIn`, `signUp`, `confirm`,
 * `forgot`, `reset`, `challenge`, `signedIn`, `hosted`).
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

/** UI strings; every key can be overridden through `element.strings = { … }`. `{name}`
 * placeholders are filled in. Error texts are `error<Code>`, e.g. `errorNotAuthorizedException`. */
export type CognitoLoginStrings = Record<string, string>;

export class CognitoLoginElement extends HTMLElement {
  /** The core client (null until `ready` resolves). */
  readonly auth: CognitoAuth | null;
  /** Resolves once the wasm is loaded and the stored session was read. */
  readonly ready: Promise<void>;
  get strings(): CognitoLoginStrings;
  set strings(overrides: Partial<CognitoLoginStrings>);
  /** The access token (refreshed when close to expiry) for the page's own `fetch` calls, or null. */
  getAccessToken(): Promise<string | null>;
  getSession(): Promise<Session | null>;
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
  interface HTMLElementEventMap {
    'cognito-signed-in': CustomEvent<CognitoSignedInDetail>;
    'cognito-signed-out': CustomEvent<Record<string, never>>;
    'cognito-error': CustomEvent<CognitoErrorDetail>;
  }
}
