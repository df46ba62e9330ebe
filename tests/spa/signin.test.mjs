// The BUILT Vite and webpack apps (tests/spa/*/dist, made by tests/spa/run.sh from the packed
// tarball) sign the demo user in against the emulator in headless Chromium; the Vite + React
// and Vite + Vue apps (cognito-wasm/react, cognito-wasm/vue) also refresh and sign out across
// two tabs, and their server builds (dist-ssr) render once in Node (ssr.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_ID, POOL_ID, USERS, setup } from '../e2e/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** A static server for one dist/ directory on 127.0.0.1:<any port>. */
function serveDir(dir) {
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(dir, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let env;
const servers = [];
before(async () => { env = await setup(); });
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await env?.close();
});

for (const app of ['vite-app', 'webpack-app']) {
  test(`${app}: the built app signs in against the emulator`, async () => {
    const dist = path.join(HERE, app, 'dist');
    assert.ok(fs.existsSync(path.join(dist, 'index.html')), `${dist} not built: run tests/spa/run.sh`);
    const wasmAssets = fs.readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));
    assert.equal(wasmAssets.length, 1, `the bundler emitted the wasm as one asset: ${wasmAssets}`);
    const server = await serveDir(dist);
    servers.push(server);
    const page = await env.newPage();
    const wasmRequests = [];
    page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmRequests.push(`${r.status()} ${r.url()}`); });
    const q = new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID });
    await page.goto(`http://127.0.0.1:${server.address().port}/?${q}`);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
    assert.equal(await page.locator('body').getAttribute('data-state'), 'ready', await page.locator('#error').textContent());
    assert.equal(wasmRequests.length, 1, `one wasm fetch: ${wasmRequests}`);
    assert.match(wasmRequests[0], /^200 /);

    // A wrong password first: the typed error reaches the app.
    await page.getByLabel('Username').fill(USERS.demo.username);
    await page.getByLabel('Password').fill('Wrong-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('body[data-state="error"]');
    assert.match(await page.locator('#error').textContent(), /^NotAuthorizedException: /);

    await page.getByLabel('Password').fill(USERS.demo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('body[data-state="signed-in"], body[data-state="error"]');
    assert.equal(await page.locator('#user').textContent(), USERS.demo.username, await page.locator('#error').textContent());
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

// The framework bindings (cognito-wasm/react, cognito-wasm/vue) in built Vite apps whose UI reads
// only useAuth(): two tabs of one origin, a sign-in in one shows in both, an automatic refresh
// (the emulator issues 62 s tokens, refreshLeeway is 60 s) re-renders both with the new
// expiry, and a sign-out in the other tab signs the first one out.
const expires = async (page) => Number(await page.locator('#expires').textContent());
for (const app of ['react-app', 'vue-app']) {
  test(`${app}: useAuth() follows sign-in, refresh and sign-out, across tabs`, async () => {
    const dist = path.join(HERE, app, 'dist');
    assert.ok(fs.existsSync(path.join(dist, 'index.html')), `${dist} not built: run tests/spa/run.sh`);
    const server = await serveDir(dist);
    servers.push(server);
    const a = await env.newPage();
    const b = await a.context().newPage();
    b.setDefaultTimeout(20_000);
    b.errors = [];
    b.on('pageerror', (e) => b.errors.push(e));
    const q = new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID });
    const url = `http://127.0.0.1:${server.address().port}/?${q}`;
    for (const p of [a, b]) {
      await p.goto(url);
      await p.waitForSelector('main[data-status="signedOut"]');
    }

    await env.control('config', { tokenTtlSeconds: 62 });
    try {
      await a.getByLabel('Username').fill(USERS.demo.username);
      await a.getByLabel('Password').fill(USERS.demo.password);
      const at = Date.now();
      await a.getByRole('button', { name: 'Sign in' }).click();
      await a.waitForSelector('main[data-status="signedIn"], #error:not(:empty)');
      assert.equal(await a.locator('#user').textContent(), USERS.demo.username, await a.locator('#error').textContent());
      assert.equal(await a.locator('#email').textContent(), USERS.demo.email);
      const first = await expires(a);
      assert.ok(Math.abs(first - (at + 62_000)) < 10_000, `62 s tokens: expiresAt ${first - at} ms after sign-in`);
      // The other tab heard it (BroadcastChannel → onAuthStateChange) without a reload.
      await b.waitForSelector('main[data-status="signedIn"]');
      assert.equal(await b.locator('#user').textContent(), USERS.demo.username);
    } finally {
      await env.control('config', { tokenTtlSeconds: 3600 });
    }

    // The refresh (1 h tokens now) re-renders both tabs with the new expiry.
    for (const p of [a, b]) {
      await p.waitForFunction(() => Number(document.querySelector('#expires')?.textContent) > Date.now() + 3_000_000, null, { timeout: 15_000, polling: 100 });
    }
    const refreshed = await expires(a);
    assert.equal(await expires(b), refreshed);
    const stored = await a.evaluate(() => JSON.parse(atob(localStorage.getItem(Object.keys(localStorage).find((k) => k.endsWith('.accessToken'))).split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp);
    assert.ok(Math.abs(refreshed - stored * 1000) < 10_000, 'the shown expiry is the stored access token\'s');

    // What each tab heard, for the report if a tab does not get there.
    const heard = { a: [], b: [] };
    for (const [name, p] of [['a', a], ['b', b]]) {
      p.on('console', (m) => heard[name].push(`${m.type()}: ${m.text()}`));
    }
    await b.getByRole('button', { name: 'Sign out' }).click();
    for (const [name, p] of [['b', b], ['a', a]]) {
      await p.waitForSelector('main[data-status="signedOut"]').catch(async (e) => {
        const state = await Promise.all([a, b].map((t) => t.evaluate(() => document.querySelector('main')?.dataset.status).catch((x) => String(x))));
        throw new Error(`${name} did not show signedOut (a: ${state[0]}, b: ${state[1]}; console a: ${JSON.stringify(heard.a)}, b: ${JSON.stringify(heard.b)}; errors: ${[...a.errors, ...b.errors].map(String)}): ${e.message}`);
      });
    }
    assert.deepEqual(await a.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('CognitoIdentityServiceProvider.'))), []);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context().close();
  });

  test(`${app}: the server build renders once in Node without window or wasm`, async () => {
    const entry = path.join(HERE, app, 'dist-ssr', 'entry-server.js');
    assert.ok(fs.existsSync(entry), `${entry} not built: run tests/spa/run.sh`);
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, [path.join(HERE, 'ssr.mjs'), path.join(HERE, app)], { timeout: 20_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)));
    });
    const { html, touched } = JSON.parse(out);
    assert.deepEqual(touched, []);
    assert.match(html, /^<main data-status="loading"><p>Status: <output id="status">loading<\/output><\/p>/);
    assert.doesNotMatch(html, /<form|Signed in as/);
  });
}
