// The engine prototype's runner in a real browser: engine-wasm/js/runner.mjs over the raw wasm
// boundary, driving SRP sign-in, currentSession() with a refresh and signOut() against the
// emulator (bench/journey/app.mjs, built as an app would bundle it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup } from './harness.mjs';
import { buildJourney, runJourney } from '../../bench/journey.mjs';

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
