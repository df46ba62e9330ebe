// The emulator's hosted UI under AWS's and a generic client, in headless Chromium:
//   - aws-amplify 6.22.1 signInWithRedirect → login page → callback → tokens, then the OAuth
//     sign-out through /logout. Amplify builds https://{domain}/…, so the emulator serves
//     over TLS too (--tls-port, certificate made at its start; Chromium ignores its errors).
//   - oidc-client-ts 3.5.0 from discovery (/{poolId}/.well-known/openid-configuration):
//     signinRedirect → callback → user (+ userInfo), a refresh_token grant, signoutRedirect.
// amazon-cognito-identity-js has no hosted-UI client (amazon-cognito-auth-js was separate).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, run, claims, POOL_ID, CLIENT_ID } from './harness.mjs';

const T = { timeout: 120_000 };
let env;

before(async () => { env = await setup({ https: true }); }, { timeout: 120_000 });
after(async () => { await env?.close(); });
afterEach(async () => { await env.closePages(); });

async function fillLogin(page, base, username, password) {
  await page.waitForURL((u) => u.href.startsWith(`${base}/oauth2/authorize?`));
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('Amplify signInWithRedirect over https://{domain}: code → tokens; OAuth sign-out via /logout', T, async () => {
  const domain = new URL(env.httpsUrl).host; // localhost:PORT
  const config = {
    Auth: {
      Cognito: {
        userPoolId: POOL_ID,
        userPoolClientId: CLIENT_ID,
        userPoolEndpoint: env.endpoint,
        loginWith: {
          oauth: {
            domain,
            scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
            redirectSignIn: [env.appUrl],
            redirectSignOut: [`${env.origin}/signed-out`],
            responseType: 'code',
          },
        },
      },
    },
  };
  const { page, context } = await env.open({ path: '/blank' });
  await context.addInitScript((c) => { window.peerAmplifyConfig = c; }, config);
  await page.goto(env.appUrl);
  // signInWithRedirect navigates away: start it, do not wait for its promise.
  await page.evaluate(() => { window.auth.signInWithRedirect(); });
  await fillLogin(page, env.httpsUrl, 'demo', 'Demo-Passw0rd!');
  await page.waitForURL((u) => u.href.startsWith(`${env.appUrl}?code=`));
  // The reloaded app's OAuth listener exchanges the code (PKCE) and reports on the Hub.
  await page.waitForFunction(() => window.authEvents.some((e) => e.event.startsWith('signInWithRedirect')));
  const events = await page.evaluate(() => window.authEvents.map((e) => e.event));
  assert.ok(events.includes('signInWithRedirect'), JSON.stringify(events));
  assert.ok(events.includes('signedIn'), JSON.stringify(events));
  const s = await run(page, async () => {
    const x = await window.auth.fetchAuthSession();
    return { id: x.tokens.idToken.toString(), access: x.tokens.accessToken.toString() };
  });
  assert.equal(claims(s.id)['cognito:username'], 'demo');
  assert.equal(claims(s.id).aud, CLIENT_ID);
  assert.deepEqual(claims(s.access).scope.split(' ').sort(), ['aws.cognito.signin.user.admin', 'email', 'openid', 'profile']);
  assert.equal((await env.get('hosted-stats')).codeGrants, 1);
  const me = await run(page, () => window.auth.getCurrentUser());
  assert.equal(me.username, 'demo');
  // The hosted UI's access token carries aws.cognito.signin.user.admin: GetUser accepts it.
  const attrs = await run(page, () => window.auth.fetchUserAttributes());
  assert.equal(attrs.email, 'demo@example.com');
  // The code is gone from the address bar once Amplify handled it.
  assert.equal(new URL(page.url()).searchParams.get('code'), null);

  // OAuth sign-out: token revocation, then the hosted UI's /logout back to the app.
  await page.evaluate(() => { window.auth.signOut(); });
  await page.waitForURL(`${env.origin}/signed-out`);
  const st = await env.get('stats');
  assert.equal(st.RevokeToken ?? st.OAuth2Revoke, 1, JSON.stringify(st));
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => /idToken|accessToken|refreshToken/.test(k)));
  assert.deepEqual(left, []);
});

test('oidc-client-ts from discovery: signinRedirect → callback → user and userInfo; refresh_token grant; sign-out', T, async () => {
  const settings = {
    authority: `${env.emulatorUrl}/${POOL_ID}`,
    client_id: CLIENT_ID,
    redirect_uri: env.appUrl,
    response_type: 'code',
    scope: 'openid email profile',
    // userInfo too: oidc-client-ts checks its sub against the ID token's and merges it in.
    loadUserInfo: true,
  };
  const disco = await (await fetch(`${settings.authority}/.well-known/openid-configuration`)).json();
  assert.equal(disco.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`);
  const { page } = await env.open();
  await page.evaluate((s) => { new window.oidc.UserManager(s).signinRedirect(); }, settings);
  await fillLogin(page, env.emulatorUrl, 'alice', 'Alice-Passw0rd!');
  await page.waitForURL((u) => u.href.startsWith(`${env.appUrl}?code=`));
  const user = await run(page, async (s) => {
    const u = await new window.oidc.UserManager(s).signinRedirectCallback();
    return { profile: u.profile, id: u.id_token, access: u.access_token, refresh: !!u.refresh_token, scope: u.scope };
  }, settings);
  assert.equal(user.profile['cognito:username'], 'alice');
  assert.equal(user.profile.email, 'alice@example.com');
  assert.equal(user.profile.iss, disco.issuer);
  assert.equal(user.profile.username, 'alice', 'userInfo (only it has "username") was merged in');
  assert.equal(claims(user.id).aud, CLIENT_ID);
  assert.equal(user.refresh, true);
  // signinSilent with a refresh token uses grant_type=refresh_token at the token endpoint.
  const renewed = await run(page, async (s) => {
    const u = await new window.oidc.UserManager(s).signinSilent();
    return { id: u.id_token, access: u.access_token };
  }, settings);
  assert.notEqual(renewed.access, user.access);
  assert.equal(claims(renewed.id).sub, claims(user.id).sub);
  assert.equal((await env.get('stats')).OAuth2Token, 1);
  // Sign-out through end_session_endpoint. Cognito's /logout wants client_id and logout_uri,
  // not OIDC's post_logout_redirect_uri, so an app passes them as extra query parameters.
  const signedOut = `${env.origin}/signed-out`;
  await page.evaluate(([s, extra]) => { new window.oidc.UserManager(s).signoutRedirect({ extraQueryParams: extra }); },
    [settings, { client_id: CLIENT_ID, logout_uri: signedOut }]);
  await page.waitForURL(signedOut);
});
