// The BUILT Vite and webpack apps (tests/spa/*/dist, made by tests/spa/run.sh from the packed
// tarball) sign the demo user in against the emulator in headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
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
