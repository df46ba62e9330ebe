// The smaller entries' typings, as an app uses them: `cognito-wasm/core` and
// `cognito-wasm/core-hosted` (compiled by tsc --strict in tests/spa/run.sh).
import initCore, { CognitoAuth as CoreAuth, type CoreSignInResult } from 'cognito-wasm/core';
import initHosted, { CognitoAuth as HostedAuth, type RedirectSignInResult, type Session } from 'cognito-wasm/core-hosted';

export async function coreApp(): Promise<Session | null> {
  await initCore();
  const auth = new CoreAuth({ userPoolId: 'us-east-1_x', clientId: 'c' });
  const r: CoreSignInResult = await auth.signIn({ username: 'u', password: 'p' });
  if (r.type === 'challenge') return null;
  await auth.signOut({ global: true });
  return r.session;
}

export async function hostedApp(): Promise<string> {
  await initHosted(new URL('cognito_wasm_core_hosted.wasm', 'https://app.example.com/'));
  const auth = new HostedAuth({ userPoolId: 'us-east-1_x', clientId: 'c', domain: 'https://auth.example.com', redirectSignIn: 'https://app.example.com/cb' });
  const asCore: CoreAuth = auth; // the core entry's class, extended
  const s: Session | null = await asCore.currentSession();
  if (s === null && location.search.includes('code=')) {
    const done: RedirectSignInResult = await auth.handleRedirectCallback();
    void done.session.accessToken;
  }
  const claims: Record<string, unknown> = await auth.verifyIdToken('a.b.c');
  void claims;
  await auth.signOut({ redirect: true });
  return auth.authorizeUrl({ provider: 'Google' });
}
