// The runner (engine-wasm/js/runner.mjs, shipped as cognito_wasm.js) as the browser sees it:
// the Web API calls it makes for the engine's effects. Requests to Cognito carry no cookies,
// even when the page is on the endpoint's own origin and holds cookies there (where a plain
// fetch sends them: the control below); several clients on one page keep their own engines;
// free() stops a client for good.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, CLIENT_ID, POOL_ID, USERS, ROOT } from './harness.mjs';

const T = { timeout: 120_000 };
let env;
before(async () => { env = await setup(); }, { timeout: 120_000 });
after(async () => { await env?.close(); });

test('requests to Cognito carry no cookies, even same-origin; two clients on a page; free()', T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  const origin = new URL(env.endpoint).origin;
  await page.context().addCookies([{ name: 'tracker', value: 'secret-cookie', url: origin }]);
  // The page and the package are served at the emulator's origin (same-origin requests).
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  await page.route(`${origin}/__runner/**`, (route) => {
    const name = new URL(route.request().url()).pathname.replace('/__runner/', '');
    const body = name === 'page.html' ? '<!doctype html><title>runner</title>' : fs.readFileSync(path.join(ROOT, 'pkg', path.basename(name)));
    return route.fulfill({ status: 200, contentType: types[path.extname(name)], body });
  });
  const sent = [];
  page.on('request', (r) => { if (r.url().startsWith(origin) && !r.url().includes('/__runner/') && !r.url().endsWith('/__control')) sent.push(r); });
  await page.goto(`${origin}/__runner/page.html`);
  // Control: a plain same-origin fetch from this page does send the cookie.
  const control = page.waitForRequest((q) => q.url().endsWith('/__control'));
  await page.evaluate(() => fetch('/__control').catch(() => {}));
  assert.equal((await (await control).allHeaders()).cookie, 'tracker=secret-cookie');
  const r = await page.evaluate(async ({ cfg, user }) => {
    const m = await import('/__runner/cognito_wasm.js');
    await m.default('/__runner/cognito_wasm_bg.wasm');
    const a = new m.CognitoAuth(cfg);
    const b = new m.CognitoAuth({ ...cfg, storage: 'memory' });
    const signedIn = await a.signIn(user);
    const info = await a.getUser();
    const other = await b.currentSession();
    b.free();
    let afterFree = 'resolved';
    await Promise.race([b.currentSession().then(() => 'settled', () => 'rejected'), new Promise((res) => setTimeout(() => res('pending'), 300))])
      .then((v) => { afterFree = v; });
    return { type: signedIn.type, username: info.username, other, afterFree };
  }, { cfg: { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint }, user: { username: 'demo', password: USERS.demo.password } });
  assert.deepEqual(r, { type: 'signedIn', username: 'demo', other: null, afterFree: 'pending' });
  assert.ok(sent.length >= 3, `requests seen: ${sent.length}`);
  for (const req of sent) {
    const h = await req.allHeaders();
    assert.equal(h.cookie, undefined, `${req.method()} ${h['x-amz-target'] ?? req.url()} sent a cookie`);
    if (req.method() === 'POST') assert.equal(h['content-type'], 'application/x-amz-json-1.1');
  }
  assert.deepEqual(page.errors.map(String), []);
  await page.context().close();
});

test('the smaller engines: cognito_wasm_signin.wasm signs in and refuses what it lacks with a typed error', T, async () => {
  await env.control('reset');
  const page = await env.newPage();
  await page.goto(`${env.webUrl}/blank.html`);
  const r = await page.evaluate(async ({ cfg, user }) => {
    const m = await import('/pkg/cognito_wasm.js');
    await m.default({ module_or_path: '/pkg/cognito_wasm_signin.wasm' });
    const a = new m.CognitoAuth(cfg);
    const signedIn = await a.signIn(user);
    const lacks = await a.getUser().then(() => 'resolved', (e) => ({ code: e.code, isError: e instanceof Error, message: e.message }));
    const s = await a.currentSession();
    const out = await a.signOut();
    return { type: signedIn.type, lacks, same: s.accessToken === signedIn.session.accessToken, revoked: out.revoked };
  }, { cfg: { userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: env.endpoint }, user: { username: 'demo', password: USERS.demo.password } });
  assert.deepEqual(r, {
    type: 'signedIn', same: true, revoked: true,
    lacks: { code: 'InvalidInput', isError: true, message: 'this build of cognito-wasm has no such operation' },
  });
  assert.deepEqual(page.errors.map(String), []);
  await page.context().close();
});
