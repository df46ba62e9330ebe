// SRP client timings in headless Chromium (Debian's), this package vs amazon-cognito-identity-js.
// Same method as srp-bench.mjs (a fake fetch answers InitiateAuth with a PASSWORD_VERIFIER
// challenge from tests/vectors and stops at RespondToAuthChallenge), measured in a page:
//   cold = the first sign-in in a freshly loaded page (median over COLD fresh pages)
//   warm = median of RUNS further sign-ins in one page
//   ready = import of cognito_wasm.js + init() (fetch, compile, instantiate the wasm) in a fresh page
//   (and the same for the `cognito-wasm/core` entry: cognito_wasm_core.js + cognito_wasm_core.wasm);
//   `fetch` is the wasm's own resource timing (request start to last byte), part of init
//   page load = a page whose module script imports the core entry and awaits init() at once:
//   the time from navigation start to the engine being ready (median of COLD fresh contexts),
//   plain and with the engine's preload hint (README, "Loading fast")
// The page and the package are served by an HTTP server on 127.0.0.1 in this process (loopback,
// as a page on a nearby CDN edge or a dev server sees it). ROUTE=1 serves them through
// Playwright's request interception instead, as this bench did before 2026-12-03: every file then
// makes a round trip through the driver, which adds several ms to each fetch.
// Usage: node bench/browser-bench.mjs [--json]   (needs pkg/ built by scripts/build-pkg.sh)
//   PKG_OLD=dir: also measure the package in dir (e.g. a previous release) in the same run
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS || 11);
const COLD = Number(process.env.COLD || 5);
const vec = JSON.parse(fs.readFileSync(path.join(root, 'tests/vectors/srp-vectors.json'), 'utf8')).srpVectors[0];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bbench-'));
const cijBundle = path.join(tmp, 'cij.js');
const benchModules = fs.existsSync(path.join(root, 'bench/node_modules/amazon-cognito-identity-js')) ? path.join(root, 'bench') : root;
fs.writeFileSync(path.join(tmp, 'cij-entry.mjs'), "export { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';\n");
execFileSync(path.join(root, 'node_modules/.bin/esbuild'), [path.join(tmp, 'cij-entry.mjs'), '--bundle', '--minify',
  '--format=esm', '--platform=browser', '--log-level=error', '--define:global=globalThis', `--outfile=${cijBundle}`],
  { env: { ...process.env, NODE_PATH: path.join(benchModules, 'node_modules') } });
const cijVersion = JSON.parse(fs.readFileSync(path.join(benchModules, 'node_modules/amazon-cognito-identity-js/package.json'))).version;

const pageScript = `
const vec = ${JSON.stringify(vec)};
const POOL = 'us-east-1_' + vec.poolName, CLIENT = '7f3kq2m9emulatorclient0001';
let marks = [];
const realFetch = window.fetch.bind(window);
window.fetch = async (url, init) => {
  const h = (init && init.headers) || {};
  if (!h['X-Amz-Target'] && !h['x-amz-target']) return realFetch(url, init);
  const target = (h['X-Amz-Target'] || h['x-amz-target'] || '').split('.').pop();
  marks.push([target, performance.now()]);
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.1' } });
  if (target === 'InitiateAuth') return json(200, { ChallengeName: 'PASSWORD_VERIFIER', Session: 'bench',
    ChallengeParameters: { SALT: vec.salt, SRP_B: vec.B, SECRET_BLOCK: vec.secretBlock, USERNAME: vec.userIdForSrp, USER_ID_FOR_SRP: vec.userIdForSrp } });
  return json(400, { __type: 'NotAuthorizedException', message: 'bench stop' });
};
async function once(run) {
  marks = [];
  const t0 = performance.now();
  await run();
  const i = marks.find(m => m[0] === 'InitiateAuth'), r = marks.find(m => m[0] === 'RespondToAuthChallenge');
  return [i[1] - t0, r[1] - i[1]];
}
window.benchOurs = async (n, prepared, dir = '/pkg/', entry = 'cognito_wasm.js') => {
  const t0 = performance.now();
  const m = await import(dir + entry);
  const t1 = performance.now();
  await m.default();
  const t2 = performance.now();
  const w = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
  window.ready = [t1 - t0, t2 - t1, w ? w.responseEnd - w.startTime : NaN];
  const auth = new m.CognitoAuth({ userPoolId: POOL, clientId: CLIENT, storage: 'memory' });
  const out = [];
  for (let k = 0; k < n; k++) {
    if (prepared) auth.prepareSignIn();
    out.push(await once(async () => { try { await auth.signIn({ username: vec.userIdForSrp, password: vec.password }); } catch (e) { if (e.code !== 'NotAuthorizedException') throw e; } }));
  }
  return out;
};
window.benchCij = async (n) => {
  const cij = await import('/cij.js');
  const pool = new cij.CognitoUserPool({ UserPoolId: POOL, ClientId: CLIENT });
  const out = [];
  for (let k = 0; k < n; k++) out.push(await once(() => new Promise((resolve, reject) => {
    const user = new cij.CognitoUser({ Username: vec.userIdForSrp, Pool: pool });
    user.authenticateUser(new cij.AuthenticationDetails({ Username: vec.userIdForSrp, Password: vec.password }), {
      onSuccess: () => reject(new Error('unexpected')), onFailure: (e) => e.code === 'NotAuthorizedException' ? resolve() : reject(e) });
  })));
  return out;
};`;

const userDataDir = fs.mkdtempSync(path.join(tmp, 'profile-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', env: { ...process.env, TMPDIR: tmp },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-quic', '--no-first-run'] });
const chromeVersion = browser.version();
const context = await browser.newContext();
/** The file for a URL path, or null. */
function fileFor(pathname) {
  if (pathname === '/cij.js') return cijBundle;
  if (pathname.startsWith('/pkg/')) return path.join(root, 'pkg', path.basename(pathname));
  if (pathname.startsWith('/pkg-old/') && process.env.PKG_OLD) return path.join(process.env.PKG_OLD, path.basename(pathname));
  return null;
}
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const pageHtml = `<!doctype html><script type="module">${pageScript}</script>`;
const loadScript = `<script type="module">import init from '/pkg/cognito_wasm_core.js'; await init(); window.loaded = performance.now();</script>`;
const loadPages = {
  '/load-plain': `<!doctype html>${loadScript}`,
  '/load-preload': `<!doctype html><link rel="preload" href="/pkg/cognito_wasm_core.wasm" as="fetch" type="application/wasm" crossorigin>${loadScript}`,
};
let base = 'http://bench.local', server;
if (process.env.ROUTE === '1') {
  await context.route('http://bench.local/**', (route) => {
    const u = new URL(route.request().url());
    if (u.pathname === '/') return route.fulfill({ contentType: 'text/html', body: pageHtml });
    const file = fileFor(u.pathname);
    if (!file) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: types[path.extname(file)] || 'application/octet-stream', body: fs.readFileSync(file) });
  });
} else {
  // Files are read once, before any page asks (a disk read is not what is measured).
  const cache = new Map();
  server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml);
    if (loadPages[u.pathname]) return res.writeHead(200, { 'content-type': 'text/html' }).end(loadPages[u.pathname]);
    const file = fileFor(u.pathname);
    if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
    if (!cache.has(file)) cache.set(file, fs.readFileSync(file));
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' }).end(cache.get(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  for (const [prefix, dir] of [['/pkg/', path.join(root, 'pkg')], ['/pkg-old/', process.env.PKG_OLD]]) {
    if (!dir) continue;
    for (const f of fs.readdirSync(dir)) {
      const file = fileFor(prefix + f);
      if (file && fs.statSync(file).isFile()) cache.set(file, fs.readFileSync(file));
    }
  }
  cache.set(cijBundle, fs.readFileSync(cijBundle));
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const readies = {};
async function fresh(fn, n, arg, dir, entry) {
  // CONTEXTS=1 (loopback only): each page in a fresh browser context (no connection or cache
  // shared with the page before it).
  const ctx = process.env.CONTEXTS === '1' && n === 1 ? await browser.newContext() : context;
  const page = await ctx.newPage();
  await page.goto(base + '/');
  await page.waitForFunction(() => typeof window.benchOurs === 'function');
  const r = await page.evaluate(([f, k, a, d, e]) => window[f](k, a, d, e), [fn, n, arg, dir, entry]);
  const ready = await page.evaluate(() => window.ready ?? null);
  if (ready && n === 1) (readies[dir + (entry ?? '')] ??= []).push(ready);
  await page.close();
  if (ctx !== context) await ctx.close();
  return r;
}
async function measure(name, fn, arg, dir, entry) {
  const cold = [];
  for (let i = 0; i < COLD; i++) cold.push((await fresh(fn, 1, arg, dir, entry))[0]);
  const warm = (await fresh(fn, RUNS + 2, arg, dir, entry)).slice(2);
  const row = (xs) => ({ A_ms: +median(xs.map(x => x[0])).toFixed(2), key_sig_ms: +median(xs.map(x => x[1])).toFixed(2),
    total_ms: +median(xs.map(x => x[0] + x[1])).toFixed(2) });
  const out = { impl: name, cold: row(cold), warm: row(warm) };
  const rd = readies[dir + (entry ?? '')];
  if (rd) out.ready = { import_ms: +median(rd.map(r => r[0])).toFixed(2), init_ms: +median(rd.map(r => r[1])).toFixed(2),
    fetch_ms: +median(rd.map(r => r[2])).toFixed(2) };
  return out;
}
const results = [
  await measure('cognito-wasm', 'benchOurs', false, '/pkg/'),
  await measure('cognito-wasm + prepareSignIn()', 'benchOurs', true, '/pkg/'),
  await measure('cognito-wasm/core (cognito_wasm_core.wasm)', 'benchOurs', false, '/pkg/', 'cognito_wasm_core.js'),
];
if (process.env.PKG_OLD) {
  results.push(await measure('cognito-wasm (PKG_OLD)', 'benchOurs', false, '/pkg-old/'));
  results.push(await measure('cognito-wasm (PKG_OLD) + prepareSignIn()', 'benchOurs', true, '/pkg-old/'));
}
results.push(await measure(`amazon-cognito-identity-js ${cijVersion}`, 'benchCij'));
/** Navigation start to `init()` resolved, per load page (fresh context each; the wasm must be fetched once). */
const loads = {};
if (!process.env.ROUTE) {
  for (let i = 0; i < COLD; i++) for (const k of Object.keys(loadPages)) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    let wasmRequests = 0;
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmRequests++; });
    await page.goto(base + k);
    await page.waitForFunction(() => window.loaded);
    if (wasmRequests !== 1) throw new Error(`${k}: the engine was fetched ${wasmRequests} times`);
    (loads[k] ??= []).push(await page.evaluate(() => window.loaded));
    await ctx.close();
  }
  for (const k of Object.keys(loads)) loads[k] = +median(loads[k]).toFixed(1);
}
await browser.close();
server?.close();
fs.rmSync(tmp, { recursive: true, force: true });
if (process.argv.includes('--json')) console.log(JSON.stringify({ chromium: chromeVersion, results, loads }));
else {
  console.log(`Chromium ${chromeVersion}; served by ${process.env.ROUTE === '1' ? 'request interception' : 'a loopback HTTP server'}; cold = first sign-in in a fresh page (median of ${COLD}), warm = median of ${RUNS}`);
  for (const r of results) for (const k of ['cold', 'warm'])
    console.log(`${r.impl.padEnd(42)} ${k}  A ${String(r[k].A_ms).padStart(7)} ms  key+sig ${String(r[k].key_sig_ms).padStart(7)} ms  total ${String(r[k].total_ms).padStart(7)} ms`
      + (k === 'cold' && r.ready ? `  (ready: import ${r.ready.import_ms} ms + init ${r.ready.init_ms} ms, of which the wasm's fetch ${r.ready.fetch_ms} ms)` : ''));
  for (const [k, ms] of Object.entries(loads))
    console.log(`page load, cognito-wasm/core ready ${k === '/load-plain' ? 'without hints' : 'with the wasm preload hint'}: ${ms} ms after navigation start (median of ${COLD} fresh contexts)`);
}
