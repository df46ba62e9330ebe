// The sign-in journey as a page ships it: bundles bench/journey/app.mjs (the package's
// `cognito-wasm/core` entry) as an app would (esbuild --bundle --splitting --minify
// --format=esm), beside the engine that entry ships (pkg/cognito_wasm_core.wasm), runs the
// journey in headless Chromium against the emulator and counts everything the page fetched,
// raw and gzip -9.
// Usage: node bench/journey.mjs [--json] [--no-browser] [--hosted]   (after scripts/build-pkg.sh)
//   --hosted: the Amplify-basic journey (the same + a hosted-UI redirect sign-in and callback,
//   bench/journey/hosted.mjs, on `cognito-wasm/core-hosted` and its cognito_wasm_core_hosted.wasm)
//   JOURNEY_WASM=pkg/cognito_wasm_signin.wasm: the same journey on another engine
// Needs: npm ci (esbuild, playwright-core), /usr/bin/chromium, pkg/, and the emulator
// binary (cargo build -p cognito-emulator; target/debug/cognito-emulator is used).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import readline from 'node:readline';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tmp, out;
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;

/** Builds the journey's site into `dir`; returns each file's raw and gzip -9 size. The app is
 * bundled from the package (pkg/, built by scripts/build-pkg.sh: `cognito-wasm/core`), and the
 * engine is the one that entry ships, pkg/cognito_wasm_core.wasm, or `wasm` (another build). */
export function buildJourney(dir, wasm = process.env.JOURNEY_WASM ?? 'pkg/cognito_wasm_core.wasm', app = 'app') {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(root, 'pkg/cognito_wasm_core.js'))) throw new Error('pkg/ is missing: run scripts/build-pkg.sh');
  fs.copyFileSync(path.resolve(root, wasm), path.join(dir, 'engine.wasm'));
  execFileSync(path.join(root, 'node_modules/.bin/esbuild'), [path.join(root, `bench/journey/${app}.mjs`), '--bundle', '--splitting',
    '--minify', '--format=esm', '--platform=browser', '--log-level=error', `--outdir=${dir}`, '--entry-names=app'], { cwd: root });
  fs.copyFileSync(path.join(root, 'bench/journey/index.html'), path.join(dir, 'index.html'));
  const files = fs.readdirSync(dir).filter((f) => f !== 'index.html').map((f) => {
    const b = fs.readFileSync(path.join(dir, f));
    return { file: f, raw: b.length, gzip: gz(b) };
  });
  return files;
}

export function serve(dir) {
  const fetched = [];
  const srv = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    const f = path.join(dir, p === '/' ? 'index.html' : p.slice(1));
    if (!f.startsWith(dir) || !fs.existsSync(f)) { res.writeHead(404).end(); return; }
    const body = fs.readFileSync(f);
    fetched.push({ file: path.basename(f), raw: body.length, gzip: gz(body) });
    const type = f.endsWith('.wasm') ? 'application/wasm' : f.endsWith('.html') ? 'text/html' : 'text/javascript';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ srv, fetched, url: `http://127.0.0.1:${srv.address().port}` })));
}

/** The Amplify-basic journey: the sign-in journey's app plus a hosted-UI redirect sign-in
 * and its callback (bench/journey/hosted.mjs), on `cognito-wasm/core-hosted` and the smallest engine with
 * the hosted UI, cognito_wasm_core_hosted.wasm (or `wasm`). */
export function buildHostedJourney(dir, wasm = process.env.JOURNEY_WASM ?? 'pkg/cognito_wasm_core_hosted.wasm') {
  return buildJourney(dir, wasm, 'hosted');
}

/** An emulator of its own (the e2e build when there is one, else the debug build), with
 * `callbackUrl` registered for the hosted UI; `issuer`: the emulator's `--issuer` (default
 * Cognito's original format). */
export async function emulator(callbackUrl, issuer = 'aws') {
  const e2e = path.join(targetDir, 'emulator', 'cognito-emulator');
  const bin = process.env.COGNITO_EMULATOR_BIN ?? (fs.existsSync(e2e) ? e2e : path.join(targetDir, 'debug', 'cognito-emulator'));
  if (!fs.existsSync(bin)) execFileSync('cargo', ['build', '-p', 'cognito-emulator'], { cwd: root, stdio: 'inherit' });
  const extra = callbackUrl ? ['--callback-url', callbackUrl, '--logout-url', callbackUrl] : [];
  const proc = spawn(bin, ['--port', '0', '--config', path.join(root, 'tests/fixtures/demo-pool.json'), '--issuer', issuer, '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((res) => readline.createInterface({ input: proc.stdout }).once('line', res));
  return { proc, url: line.replace('cognito-emulator listening on ', '').trim() };
}

/** Runs the journey built in `dir` in `browser` against the emulator at `emulatorUrl`
 * (whose tokens must be short-lived: 2 s). Returns the page's result and what it fetched. */
/** `site`: a server already started with serve(dir) (the hosted journey's emulator must know
 * its URL); `hosted`: sign in on the emulator's hosted UI when the page goes there. Each file
 * is counted once, however often the page loaded it. */
export async function runJourney(browser, emulatorUrl, dir, { site, hosted = false } = {}) {
  site ??= await serve(dir);
  try {
    const page = await browser.newPage();
    if (process.env.JOURNEY_DEBUG) { page.on('console', (m) => console.error('[page]', m.text())); page.on('framenavigated', (f) => f === page.mainFrame() && console.error('[nav]', f.url())); }
    const q = new URLSearchParams({ userPoolId: 'us-east-1_EmuPool01', clientId: '7f3kq2m9emulatorclient0001', endpoint: `${emulatorUrl}/`, username: 'demo', password: 'Demo-Passw0rd!' });
    await page.goto(`${site.url}/?${q}`);
    if (hosted) {
      await page.waitForURL((u) => u.href.startsWith(`${emulatorUrl}/oauth2/authorize?`), { timeout: 30_000 });
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill('Demo-Passw0rd!');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.href.startsWith(site.url), { timeout: 30_000 });
    }
    await page.waitForFunction(() => window.__journey, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.__journey);
    await page.close();
    const once = new Map(site.fetched.filter((f) => f.file !== 'index.html').map((f) => [f.file, f]));
    return { result, fetched: [...once.values()] };
  } finally {
    site.srv.close();
  }
}

async function runBrowser(hosted) {
  const { chromium } = await import('playwright-core');
  const site = await serve(out);
  const emu = await emulator(hosted ? `${site.url}/` : undefined);
  const ctl = (p, b) => fetch(`${emu.url}/_emulator/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
  await ctl('config', { tokenTtlSeconds: 2 });
  const browserTmp = fs.mkdtempSync(path.join(tmp, 'chromium-'));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], env: { ...process.env, TMPDIR: browserTmp, HOME: browserTmp } });
  try {
    return await runJourney(browser, emu.url, out, { site, hosted });
  } finally {
    await browser.close();
    emu.proc.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-'));
  out = path.join(tmp, 'site');
  const hosted = process.argv.includes('--hosted');
  const files = hosted ? buildHostedJourney(out) : buildJourney(out);
  const report = { files };
  if (!process.argv.includes('--no-browser')) Object.assign(report, await runBrowser(hosted));
  const list = report.fetched ?? files;
  report.total = { raw: list.reduce((a, f) => a + f.raw, 0), gzip: list.reduce((a, f) => a + f.gzip, 0) };
  fs.rmSync(tmp, { recursive: true, force: true });
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
  else {
    for (const f of list) console.log(`  ${f.file.padEnd(30)} ${String(f.raw).padStart(8)} ${String(f.gzip).padStart(8)}`);
    const name = hosted ? `Amplify-basic journey (pkg/cognito_wasm_core_hosted.js + ${process.env.JOURNEY_WASM ?? 'pkg/cognito_wasm_core_hosted.wasm'})` : `sign-in journey (${process.env.JOURNEY_WASM ?? 'pkg/cognito_wasm_core.wasm'})`;
    console.log(`${name}, ${report.fetched ? 'fetched by Chromium' : 'built'}: ${report.total.raw} raw, ${report.total.gzip} gzip -9 bytes`);
    if (report.result) console.log('journey:', JSON.stringify(report.result));
  }
}
