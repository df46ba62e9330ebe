// A pool whose issuer configuration is UPDATED (Cognito's IssuerConfigurationType, which AWS
// recommends for every pool): its tokens carry
// `iss = https://issuer-cognito-idp.{region}.amazonaws.com/{poolId}`. The emulator issues that
// with `--issuer aws-updated`. Here, in Node with the package from pkg/: the server verifier
// accepts both token kinds, the identity pool gets the issuer (without its scheme) as the
// `Logins` key (as Amplify's formLoginsMap builds it) and answers with credentials, and a
// verifier pinned to the original format refuses them. The browser side (the hosted-UI
// callback's ID-token check) is in engine-journey.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, POOL_ID, CLIENT_ID, USERS, startEmulator, stop } from './harness.mjs';

const IDENTITY_POOL = 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001';
const UPDATED = `https://issuer-cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
const { initSync, CognitoAuth } = await import(path.join(ROOT, 'pkg', 'cognito_wasm.js'));
initSync({ module: fs.readFileSync(path.join(ROOT, 'pkg', 'cognito_wasm_bg.wasm')) });
const { createVerifier } = await import(path.join(ROOT, 'pkg', 'server.js'));

let emu;
const T = { timeout: 60_000 };
const part = (t, i) => JSON.parse(Buffer.from(t.split('.')[i], 'base64url').toString());

before(async () => { emu = await startEmulator('tests/fixtures/demo-pool.json', 'aws-updated'); });
after(async () => { await stop(emu?.proc); });

test('updated issuer: sign-in, the server verifier, identity-pool credentials', T, async () => {
  const auth = new CognitoAuth({ userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: emu.endpoint, storage: 'memory',
    identityPoolId: IDENTITY_POOL, identityEndpoint: emu.endpoint });
  try {
    const r = await auth.signIn({ username: USERS.demo.username, password: USERS.demo.password });
    assert.equal(r.type, 'signedIn');
    assert.equal(part(r.session.idToken, 1).iss, UPDATED, 'the emulator issues the updated format');
    assert.equal(r.session.idTokenClaims.iss, UPDATED);

    const v = createVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: emu.endpoint });
    assert.equal((await v.verifyIdToken(r.session.idToken)).iss, UPDATED);
    assert.equal((await v.verifyAccessToken(r.session.accessToken)).iss, UPDATED);
    // Pinned to the original format with `issuer`, the same tokens are another issuer's.
    const pinned = createVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: emu.endpoint, issuer: `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}` });
    await assert.rejects(pinned.verifyIdToken(r.session.idToken), (e) => e.code === 'TokenWrongIssuer');

    // The emulator's identity pool accepts only the issuer's own provider name as the key.
    const c = await auth.getAwsCredentials();
    assert.match(c.accessKeyId, /^ASIA/);
    assert.match(c.identityId, /^us-east-1:/);
  } finally {
    auth.free();
  }
});
