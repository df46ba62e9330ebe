// Type-checked (tsc --noEmit --strict) against the element.d.ts of the INSTALLED tarball
// (`cognito-wasm/element`); never run. It touches every export of the drop-in module, the
// element's declared properties and methods, the tag-name and event maps (with their detail
// types), so element.d.ts cannot drift from what a page script relies on. check-exports.mjs
// checks at runtime that everything declared here exists in element.js, and the reverse.
import {
  CognitoLoginElement,
  CognitoSignedInElement,
  CognitoSignedOutElement,
  CognitoSignOutElement,
  CognitoUserElement,
  getAccessToken,
  type CognitoErrorDetail,
  type CognitoLoginAuthFlow,
  type CognitoLoginStrings,
  type CognitoSignedInDetail,
} from 'cognito-wasm/element';
import type { CognitoAuth, Session, SignOutResult } from 'cognito-wasm';

export async function elementUsage(): Promise<void> {
  // The tag names map to the declared classes.
  const login: CognitoLoginElement | null = document.querySelector('cognito-login');
  if (!login) return;
  const created: CognitoLoginElement = document.createElement('cognito-login');
  const parts: [CognitoSignedInElement, CognitoSignedOutElement, CognitoUserElement, CognitoSignOutElement] = [
    document.createElement('cognito-signed-in'), document.createElement('cognito-signed-out'),
    document.createElement('cognito-user'), document.createElement('cognito-sign-out'),
  ];
  const asElement: HTMLElement = login;
  for (const [name, value] of [['user-pool-id', 'us-east-1_AbC123xyz'], ['client-id', '1example23456789'],
    ['mode', 'hosted'], ['providers', 'Google'], ['auth-flow', 'CUSTOM_WITHOUT_SRP'], ['redirect-sign-in', location.href]]) {
    created.setAttribute(name, value);
  }

  // Properties and methods.
  await login.ready;
  const auth: CognitoAuth | null = login.auth;
  // @ts-expect-error auth is readonly
  login.auth = null;
  const mode: 'form' | 'hosted' = login.mode;
  const dom: 'shadow' | 'light' = login.dom;
  const language: 'en' | 'es' | 'fr' | 'de' | 'pt' | 'ja' | 'zh' = login.language;
  // @ts-expect-error dom is readonly (set the attribute)
  login.dom = 'light';
  created.setAttribute('dom', 'light');
  created.setAttribute('lang', 'ja');
  const flow: CognitoLoginAuthFlow = login.authFlow;
  const allFlows: CognitoLoginAuthFlow[] = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'CUSTOM_WITH_SRP', 'CUSTOM_WITHOUT_SRP'];
  // @ts-expect-error not a flow the element knows
  const badFlow: CognitoLoginAuthFlow = 'CUSTOM_AUTH';
  const strings: CognitoLoginStrings = login.strings;
  login.strings = { signInTitle: 'Connexion', errorNotAuthorizedException: 'Mot de passe incorrect.' };
  const token: string | null = await login.getAccessToken();
  const session: Session | null = await login.getSession();
  const out: SignOutResult = await login.signOut();
  await login.signOut({ global: true, redirect: false });
  const moduleToken: string | null = await getAccessToken();

  // Events, on the element, the document and the window (they bubble and are composed).
  login.addEventListener('cognito-signed-in', (e) => {
    const d: CognitoSignedInDetail = e.detail;
    const who: string = e.detail.username;
    const email: unknown = e.detail.claims.email;
    void d; void who; void email;
  });
  document.addEventListener('cognito-error', (e) => {
    const d: CognitoErrorDetail = e.detail;
    const fields: [string, string, unknown] = [d.code, d.message, d.error];
    // @ts-expect-error not part of the detail
    void e.detail.status;
    void fields;
  });
  window.addEventListener('cognito-signed-out', (e) => {
    const d: Record<string, never> = e.detail;
    void d;
  });

  // The classes are constructors a page could subclass or check against.
  const isLogin: boolean = asElement instanceof CognitoLoginElement;
  class MyLogin extends CognitoLoginElement {}
  void [auth, mode, dom, language, flow, allFlows, badFlow, strings, token, session, out, moduleToken, parts, isLogin, MyLogin];
}
