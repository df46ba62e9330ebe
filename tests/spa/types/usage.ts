// Type-checked (tsc --noEmit --strict) against the index.d.ts of the INSTALLED tarball; never
// run. It touches every export, class member and type the package declares, with the value
// shapes the docs promise, so a declaration that changes incompatibly fails the build.
// New declarations do not need to be added here to keep it green (check-exports.mjs checks
// at runtime that everything declared exists).
import init, {
  initSync,
  CognitoAuth,
  decodeJwt,
  configFromAmplify,
  type AmplifyMappedConfig,
  type CurrentUser,
  type AuthEvent,
  type AwsCredentials,
  type CognitoAuthConfig,
  type CognitoError,
  type CookieOptions,
  type DeviceInfo,
  type FirstFactor,
  type MfaType,
  type PasskeyInfo,
  type InitInput,
  type RedirectSignInOptions,
  type RedirectSignInResult,
  type RequestDescription,
  type Session,
  type SignInResult,
  type SignOptions,
  type SignOutResult,
  type SigningCredentials,
  type StorageKind,
  type StorageLike,
} from 'cognito-wasm';

export async function everything(bytes: ArrayBuffer, wasmModule: WebAssembly.Module): Promise<void> {
  // --- loading ---
  const input: InitInput = new URL('https://example.com/cognito_wasm_bg.wasm');
  await init();
  await init({ module_or_path: input });
  await init({ module_or_path: fetch('/x.wasm') });
  await init('/x.wasm');
  initSync({ module: bytes });
  initSync(wasmModule);

  // --- config and storage ---
  const kind: StorageKind = 'cookie';
  const cookie: CookieOptions = { domain: 'example.com', path: '/', secure: true, sameSite: 'strict', expires: 7 };
  const mapStore = new Map<string, string>();
  const store: StorageLike = {
    getItem: (k) => mapStore.get(k) ?? null,
    setItem: async (k, v) => { mapStore.set(k, v); },
    removeItem: (k) => { mapStore.delete(k); },
  };
  const config: CognitoAuthConfig = {
    userPoolId: 'us-east-1_AbC123xyz',
    clientId: '1example23456789',
    endpoint: 'http://127.0.0.1:9229/',
    storage: kind,
    cookie,
    refreshLeeway: 60,
    autoRefresh: true,
    refreshTokenRotation: false,
    logLevel: 'debug',
    domain: 'https://prefix.auth.us-east-1.amazoncognito.com',
    clientSecret: undefined,
    identityPoolId: 'us-east-1:1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
    identityEndpoint: 'https://cognito-identity.us-east-1.amazonaws.com/',
    stsEndpoint: 'https://sts.us-east-1.amazonaws.com/',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz',
    redirectSignIn: 'https://app.example.com/callback',
    redirectSignOut: 'https://app.example.com/',
    scopes: ['openid', 'email'],
  };
  const auth = new CognitoAuth(config);
  // @ts-expect-error logLevel is 'debug' or 'none'
  void new CognitoAuth({ ...config, logLevel: 'verbose' });
  const devices: Promise<DeviceInfo[]> = auth.listDevices();
  const device: Promise<DeviceInfo> = auth.getDevice({ deviceKey: 'us-east-1_k' });
  void devices; void device; void auth.getDevice();
  const custom = new CognitoAuth({ userPoolId: 'us-east-1_x', clientId: 'y', storage: store });
  const storageKind: StorageKind | 'custom' = custom.storageKind;
  // @ts-expect-error storageKind is readonly
  custom.storageKind = 'memory';
  custom.free();

  // --- sign-in ---
  auth.prepareSignIn();
  const r: SignInResult = await auth.signIn({ username: 'demo', password: 'pw' });
  if (r.type === 'signedIn') {
    const s: Session = r.session;
    const parts: [string, string, string, string | null, number, number] =
      [s.username, s.idToken, s.accessToken, s.refreshToken, s.expiresAt, s.clockDrift];
    const claims: Record<string, unknown>[] = [s.idTokenClaims, s.accessTokenClaims];
    void parts; void claims;
  } else {
    const name: string = r.name;
    const params: Record<string, string> = r.parameters;
    void name; void params;
  }

  // --- sign-up with autoSignIn (ConfirmSignUp's Session, or the password fallback) ---
  await auth.signUp({ username: 'new', password: 'pw', autoSignIn: true });
  await auth.signUp({ username: 'new', password: 'pw', autoSignIn: 'password' });
  // @ts-expect-error only true, false or 'password'
  await auth.signUp({ username: 'new', password: 'pw', autoSignIn: 'session' });
  const confirmed = await auth.confirmSignUp({ username: 'new', code: '123456' });
  if (confirmed.type === 'confirmed') {
    const why: string | undefined = confirmed.autoSignInError?.code;
    void why;
  }

  // --- sessions, events, sign-out ---
  const current: Session | null = await auth.currentSession();
  const forced: Session | null = await auth.currentSession({ forceRefresh: true });
  const who: CurrentUser | null = auth.getCurrentUser();
  const whoId: string | undefined = who?.userId;
  const claims: Record<string, unknown> = decodeJwt(forced?.idToken ?? '').payload;
  const mapped: AmplifyMappedConfig = configFromAmplify({ version: '1', auth: {} });
  const mfa: 'off' | 'on' | 'optional' | undefined = mapped.mfa?.status;
  const migrated: CognitoAuth = CognitoAuth.fromAmplifyConfig({ aws_project_region: 'us-east-1' }, { storage: 'session' });
  void whoId; void claims; void mfa; void migrated;
  const off: () => void = auth.onAuthStateChange((e: AuthEvent) => {
    switch (e.type) {
      case 'signedIn': case 'tokenRefreshed': { const u: string = e.session.username; void u; break; }
      case 'tokenRefreshFailed': { const c: string = e.error.code; const s: Session = e.session; void c; void s; break; }
      case 'signedOut': case 'sessionExpired': case 'storageFallback': break;
      default: { const never: never = e; void never; }
    }
  });
  off();
  const out: SignOutResult = await auth.signOut();
  await auth.signOut({ global: true, redirect: false });
  const revoked: boolean = out.revoked;
  const err: CognitoError | null = out.error;
  if (err) {
    const fields: [string, string, number | undefined, boolean, string] = [err.name, err.code, err.status, err.retryable, err.message];
    void fields;
    const known: CognitoError['code'] = 'NotAuthorizedException';
    const other: CognitoError['code'] = 'SomeFutureException';
    void known; void other;
  }

  // --- identity pool and SigV4 ---
  const creds: AwsCredentials = await auth.getAwsCredentials();
  await auth.getAwsCredentials({ forceRefresh: true });
  // The basic (classic) flow: one role per call.
  const reader: AwsCredentials = await auth.getAwsCredentials({ roleArn: 'arn:aws:iam::123456789012:role/Reader' });
  void reader;
  const asAdmin: Response = await auth.fetchSigned('https://api.example.com/x', undefined, { service: 'execute-api', roleArn: 'arn:aws:iam::123456789012:role/Admin' });
  void asAdmin;
  const credFields: [string, string, string, Date, string] =
    [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken, creds.expiration, creds.identityId];
  const explicit: SigningCredentials = { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' };
  const opts: SignOptions = { service: 'execute-api', region: 'us-east-1', credentials: explicit, unsignedPayload: false };
  const signedReq: Request = await auth.signRequest(new Request('https://api.example.com/x'), opts);
  const desc: RequestDescription = { url: 'https://api.example.com/x', method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' };
  const signedDesc = await auth.signRequest(desc, opts);
  const signedHeaders: Record<string, string> = signedDesc.headers;
  const m: string = signedDesc.method;
  const res: Response = await auth.fetchSigned('https://api.example.com/x', { method: 'GET' }, { service: 'lambda' });
  await auth.fetchSigned('https://api.example.com/x', undefined, opts);
  const presigned: string = await auth.presignUrl('https://bucket.s3.amazonaws.com/key', { expiresIn: 60 });
  await auth.presignUrl('https://bucket.s3.amazonaws.com/key');

  // --- choice-based sign-in and passkeys ---
  const supported: boolean = CognitoAuth.isPasskeySupported();
  const preferred: FirstFactor = 'WEB_AUTHN';
  const choice = await auth.signIn({ username: 'ann', preferredChallenge: preferred });
  // `name` narrows the union (there is no catch-all member).
  if (choice.type === 'challenge' && choice.name === 'SELECT_CHALLENGE') {
    const offered: FirstFactor[] = choice.availableChallenges;
    void offered;
    await auth.respondToChallenge({ answer: 'PASSWORD_SRP', password: 'pw' });
    await auth.respondToChallenge({ password: 'pw' });
  }
  await auth.signIn({ username: 'ann', authFlow: 'USER_AUTH' });
  const registered: { credentialId: string } = await auth.registerPasskey();
  const page = await auth.listPasskeys({ maxResults: 5, nextToken: 'n' });
  const all: PasskeyInfo[] = (await auth.listPasskeys()).passkeys;
  const pk: [string, string | null, string[], number | null, string | null] = [all[0].credentialId, all[0].friendlyName, all[0].transports, all[0].createdAt, page.nextToken];
  await auth.deletePasskey(registered.credentialId);
  const passkeyCode: CognitoError['code'] = 'PasskeyCancelled';
  if (choice.type === 'challenge' && (choice.name === 'EMAIL_OTP' || choice.name === 'SMS_OTP')) {
    const where: string | undefined = choice.codeDelivery.destination;
    void where;
  }
  if (choice.type === 'challenge' && choice.name === 'SELECT_MFA_TYPE') {
    const types: MfaType[] = choice.allowedMfaTypes;
    void types;
  }
  const unsupported: CognitoError['code'] = 'UnsupportedChallenge';
  void unsupported;
  void [supported, pk, passkeyCode];

  // --- hosted UI ---
  const redirectOpts: RedirectSignInOptions = {
    provider: 'Google', idpIdentifier: 'example.com', scopes: ['openid'], state: '/back', lang: 'fr', prompt: 'login',
  };
  const url: string = auth.authorizeUrl(redirectOpts);
  auth.authorizeUrl();
  const nav: Promise<void> = auth.signInWithRedirect(redirectOpts);
  void nav;
  const cb: RedirectSignInResult = await auth.handleRedirectCallback(location.href);
  await auth.handleRedirectCallback();
  const cbFields: ['signedIn', Session, string | null] = [cb.type, cb.session, cb.state];
  const idClaims: Record<string, unknown> = await auth.verifyIdToken(cb.session.idToken);
  const info: Record<string, unknown> = await auth.getUserInfo();

  auth.free();
  void [signedHeaders, storageKind, current, revoked, credFields, signedReq, m, res, presigned, url, cbFields, idClaims, info];
}
