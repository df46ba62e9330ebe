// Type-checked only (tsc --noEmit --strict, run.sh): vue.d.ts of the INSTALLED tarball and the
// GlobalComponents typings of the custom elements it adds. Every @ts-expect-error must be an error.
import { createApp, shallowRef, type GlobalComponents, type Plugin, type Ref } from 'vue';
import type { CognitoAuth, Session, SignInResult, SignOutResult } from 'cognito-wasm';
import { createCognito, useAuth, type AuthState, type AuthStatus, type AuthUser } from 'cognito-wasm/vue';

export function usage(auth: CognitoAuth): void {
  const plugins: Plugin[] = [createCognito(auth), createCognito(), createCognito(null), createCognito(shallowRef<CognitoAuth | null>(null))];
  // @ts-expect-error createCognito takes a CognitoAuth
  createCognito({});
  createApp({}).use(createCognito(auth));
  const a: AuthState = useAuth();
  const status: Readonly<Ref<AuthStatus>> = a.status;
  const now: AuthStatus = a.status.value;
  // @ts-expect-error the refs are read-only
  a.status.value = 'signedIn';
  // @ts-expect-error not a status
  const bad: AuthStatus = 'signingIn';
  const s: Session | null = a.session.value;
  const u: AuthUser | null = a.user.value;
  const email: unknown = u?.claims.email;
  const code: string | undefined = a.error.value?.code;
  const client: CognitoAuth | null = a.auth.value;
  const signedIn: Promise<SignInResult> = a.signIn({ username: 'u', password: 'p' });
  const answered: Promise<SignInResult> = a.respondToChallenge({ code: '123456' });
  const out: Promise<SignOutResult> = a.signOut({ redirect: true });
  void [plugins, status, now, bad, s, email, code, client, signedIn, answered, out];
}

// The elements as templates see them (vue-tsc reads GlobalComponents).
type ComponentProps<C> = C extends new (...args: never[]) => { $props: infer P } ? P : never;
type LoginProps = ComponentProps<GlobalComponents['cognito-login']>;
export const login: LoginProps = { 'user-pool-id': 'us-east-1_AbC123', 'client-id': 'abc', mode: 'hosted', passkeys: '' };
// @ts-expect-error client-id is required
export const noClient: LoginProps = { 'user-pool-id': 'us-east-1_AbC123' };
// @ts-expect-error not a mode
export const badMode: LoginProps = { 'user-pool-id': 'p', 'client-id': 'c', mode: 'popup' };
export const user: ComponentProps<GlobalComponents['cognito-user']> = { field: 'email' };
export const signOut: ComponentProps<GlobalComponents['cognito-sign-out']> = { global: true };
