// The size benchmark's journeys in a real browser, built from pkg/ as an app would bundle them:
// the sign-in journey on `cognito-wasm/core` (bench/journey/app.mjs: SRP sign-in,
// currentSession() with a refresh, signOut()) and the Amplify-basic journey on `cognito-wasm/core-hosted`
// with the hosted-UI engine (bench/journey/hosted.mjs: the same, then a hosted-UI redirect
// sign-in and its callback).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup } from './harness.mjs';
import { buildJourney, buildHostedJourney, emulator, runJourney, serve } from '../../bench/journey.mjs';

let env;
let dir;
before(async () => {
  env = await setup();
  dir = path.join(env.tmp, 'journey');
  buildJourney(dir);
});
after(async () => {
  await env?.close();
});

test('sign-in journey on the engine: sign in, refresh, sign out with revocation', async () => {
  // 2 s tokens: the journey's currentSession() after 1.2 s is inside the clamped leeway.
  await env.control('config', { tokenTtlSeconds: 2 });
  try {
    const { result, fetched } = await runJourney(env.browser, env.emulatorUrl, dir);
    assert.equal(result.error, undefined);
    assert.equal(result.signIn, 'signedIn');
    assert.equal(result.refreshed, true, 'currentSession() returned refreshed tokens');
    assert.deepEqual(result.signOut, { revoked: true, error: null });
    assert.equal(result.after, null);
    assert.deepEqual(result.events, ['signedIn', 'tokenRefreshed', 'signedOut']);
    assert.deepEqual(fetched.map((f) => f.file).sort(), ['app.js', 'engine.wasm']);
    assert.ok(fs.existsSync(path.join(dir, 'engine.wasm')));
  } finally {
    await env.control('config', { tokenTtlSeconds: 3600 });
  }
});

// The last case: a pool whose issuer configuration is UPDATED (`iss` =
// https://issuer-cognito-idp.{region}.amazonaws.com/{poolId}): the callback's ID-token check
// accepts it.
for (const [wasm, issuer] of [['cognito_wasm_core_hosted', 'aws'], ['cognito_wasm_hosted', 'aws'], ['cognito_wasm_core_hosted', 'aws-updated']]) test(`Amplify-basic journey on ${wasm}.wasm, issuer ${issuer}: the sign-in journey, then the hosted UI and back`, async () => {
  const hdir = path.join(env.tmp, `journey-${wasm}-${issuer}`);
  buildHostedJourney(hdir, `pkg/${wasm}.wasm`);
  const site = await serve(hdir);
  // Its own emulator: the journey's server must be a registered callback URL.
  const emu = await emulator(`${site.url}/`, issuer);
  try {
    const ctl = await fetch(`${emu.url}/_emulator/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tokenTtlSeconds: 2 }) });
    assert.equal(ctl.status, 200);
    const { result, fetched } = await runJourney(env.browser, emu.url, hdir, { site, hosted: true });
    assert.equal(result.error, undefined);
    assert.equal(result.signIn, 'signedIn');
    assert.equal(result.refreshed, true);
    assert.deepEqual(result.signOut, { revoked: true, error: null });
    assert.equal(result.redirect, 'signedIn');
    assert.equal(result.hostedUser, 'demo');
    assert.equal(result.cleanUrl, true, 'the callback URL is replaced');
    assert.deepEqual(result.events, ['signedIn', 'tokenRefreshed', 'signedOut', 'signedIn']);
    assert.deepEqual(fetched.map((f) => f.file).sort(), ['app.js', 'engine.wasm']);
  } finally {
    emu.proc.kill();
  }
});
