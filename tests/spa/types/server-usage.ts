// Type-checked (tsc --noEmit --strict) against the server.d.ts of the INSTALLED tarball
// (`cognito-wasm/server`); never run. check-exports.mjs checks that its value exports exist
// in server.js, and the reverse.
import {
  createVerifier,
  type AccessTokenClaims,
  type IdTokenClaims,
  type TokenError,
  type TokenErrorCode,
  type Verifier,
  type VerifierOptions,
} from 'cognito-wasm/server';

export async function serverUsage(token: string): Promise<number> {
  const options: VerifierOptions = { userPoolId: 'us-east-1_AbC123xyz', clientId: '1example23456789', leewaySeconds: 30 };
  const v: Verifier = createVerifier({ ...options, endpoint: 'http://127.0.0.1:9229/' });
  createVerifier({ userPoolId: 'us-east-1_AbC123xyz', clientId: 'c', issuer: 'https://auth.example.com/p' });
  // @ts-expect-error clientId is required
  createVerifier({ userPoolId: 'us-east-1_AbC123xyz' });
  try {
    const a: AccessTokenClaims = await v.verifyAccessToken(token);
    const scopes: string[] = a.scope.split(' ');
    const use: 'access' = a.token_use;
    const id: IdTokenClaims = await v.verifyIdToken(token);
    const name: string = id['cognito:username'];
    const aud: string = id.aud;
    return scopes.length + use.length + name.length + aud.length + a.exp;
  } catch (e) {
    const err = e as TokenError;
    const code: TokenErrorCode | 'NetworkError' | 'InvalidResponse' | 'InvalidInput' = err.code;
    const name: string = err.name;
    const retry: boolean = err.retryable;
    const status: number | undefined = err.status;
    // @ts-expect-error not a code this API has
    const wrong: TokenError['code'] = 'InvalidIdToken';
    return code.length + name.length + (retry ? 1 : 0) + (status ?? 0) + wrong.length;
  }
}
