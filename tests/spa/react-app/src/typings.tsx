// Type-checked only (tsc --noEmit --strict, run.sh): react.d.ts of the INSTALLED tarball and the
// JSX typings of the custom elements it adds. Every @ts-expect-error must be an error.
import { useRef } from 'react';
import type { CognitoAuth, Session, SignInResult, SignOutResult } from 'cognito-wasm';
import type { CognitoLoginElement } from 'cognito-wasm/element';
import { CognitoProvider, useAuth, type AuthState, type AuthStatus, type AuthUser, type CognitoProviderProps } from 'cognito-wasm/react';

export function Usage({ auth }: { auth: CognitoAuth }) {
  const a: AuthState = useAuth();
  const status: AuthStatus = a.status;
  const all: AuthStatus[] = ['loading', 'signedIn', 'signedOut'];
  // @ts-expect-error not a status
  const bad: AuthStatus = 'signingIn';
  const s: Session | null = a.session;
  const u: AuthUser | null = a.user;
  const name: string | undefined = u?.username;
  const email: unknown = u?.claims.email;
  const code: string | undefined = a.error?.code;
  const client: CognitoAuth | null = a.auth;
  const signedIn: Promise<SignInResult> = a.signIn({ username: 'u', password: 'p' });
  const answered: Promise<SignInResult> = a.respondToChallenge({ code: '123456' });
  const out: Promise<SignOutResult> = a.signOut({ global: true });
  // @ts-expect-error signIn needs its input
  void a.signIn();
  const login = useRef<CognitoLoginElement>(null);
  const props: CognitoProviderProps = { auth: null };
  void [status, all, bad, s, name, email, code, client, signedIn, answered, out, props];
  return (
    <CognitoProvider auth={auth}>
      <CognitoProvider>{null}</CognitoProvider>
      <cognito-login ref={login} user-pool-id="us-east-1_AbC123" client-id="abc" mode="hosted" providers="Google"
        auth-flow="USER_PASSWORD_AUTH" storage="session" passkeys remember-device="" redirect-sign-in="https://x/" dom="light" lang="fr" />
      {/* @ts-expect-error not a dom mode */}
      <cognito-login user-pool-id="p" client-id="c" dom="open" />
      {/* @ts-expect-error client-id is required */}
      <cognito-login user-pool-id="us-east-1_AbC123" />
      {/* @ts-expect-error not a mode */}
      <cognito-login user-pool-id="p" client-id="c" mode="popup" />
      {/* @ts-expect-error not a flow */}
      <cognito-login user-pool-id="p" client-id="c" auth-flow="CUSTOM_AUTH" />
      <cognito-signed-in><p>in</p></cognito-signed-in>
      <cognito-signed-out><p>out</p></cognito-signed-out>
      <cognito-user field="email" />
      <cognito-sign-out global />
      {/* @ts-expect-error CognitoProvider takes a CognitoAuth */}
      <CognitoProvider auth={{}} />
    </CognitoProvider>
  );
}
