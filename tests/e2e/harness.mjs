// Shared setup for the e2e suite: a private Cognito emulator, a private static server,
// a headless Debian Chromium (playwright-core, no browser download) with its own TMPDIR.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const POOL_ID = 'us-east-1_EmuPool01';
export const CLIENT_ID = '7f3kq2m9emulatorclient0001';
export const KEY_PREFIX = 'CognitoIdentityServiceProvider.';
export const USERS = {
  demo: { username: 'demo', password: 'Demo-Passw0rd!', email: 'demo@example.com' },
  alice: { username: 'alice', password: 'Alice-Passw0rd!', email: 'alice@example.com' },
  pending: { username: 'pending', password: 'Pending-Passw0rd!' },
};
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Spawns a server and resolves with { url, proc } once it prints `<prefix> http://...`. */
export function startServer(name, cmd, args, linePrefix, opts = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const output = [];
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within 60 s:\n${output.join('\n')}`));
    }, 60_000);
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`${name}: ${e.message}`)); });
    proc.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? sig}) before listening:\n${output.join('\n')}`));
    });
    proc.stderr.on('data', (d) => {
      output.push(String(d).trimEnd());
      if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${d}`);
    });
    const rl = readline.createInterface({ input: proc.stdout });
    rl.on('line', (line) => {
      output.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      const m = line.match(new RegExp(`^${linePrefix} (http://127\\.0\\.0\\.1:\\d+)$`));
      if (m) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ url: m[1], proc });
      }
    });
  });
}

export function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}

/**
 * Starts an emulator alone (no browser, no static server), with Cognito-exact tokens, for
 * the tests that run in Node only. Returns { url, endpoint, proc }.
 */
export async function startEmulator(config = 'tests/fixtures/demo-pool.json', issuer = 'aws') {
  const bin = process.env.COGNITO_EMULATOR_BIN
    ?? path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'),
      'emulator', 'cognito-emulator');
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run cargo build --profile emulator -p cognito-emulator`);
  const emu = await startServer('emulator', bin, ['--port', '0', '--config', config, '--issuer', issuer], 'cognito-emulator listening on');
  return { url: emu.url, endpoint: `${emu.url}/`, proc: emu.proc };
}

/**
 * Starts emulator + static server + browser. Returns an env object with helpers;
 * call env.close() in `after`.
 */
export async function setup() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cognito-e2e-'));
  // playwright-core makes its profile dir under os.tmpdir(): keep that private too.
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  const env = { tmp, procs: [] };
  env.close = async () => {
    if (env.browser) await env.browser.close().catch(() => {});
    await Promise.all(env.procs.map(stop));
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const bin = process.env.COGNITO_EMULATOR_BIN
      ?? path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'),
        'emulator', 'cognito-emulator');
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run cargo build --profile emulator -p cognito-emulator`);
    if (!fs.existsSync(path.join(ROOT, 'pkg', 'cognito_wasm.js'))) throw new Error('pkg/ missing: run scripts/build-pkg.sh');
    // The static server first: its URL is the hosted UI's registered callback/sign-out URL.
    const web = await startServer('static', process.execPath,
      [path.join(ROOT, 'scripts', 'serve.mjs'), '--port', '0'], 'static server on');
    env.procs.push(web.proc);
    env.webUrl = web.url;
    // Both demo pages (raw API at /, drop-in element at /dropin.html) come back from the hosted UI.
    const pages = [`${web.url}/`, `${web.url}/dropin.html`];
    const hosted = pages.flatMap((u) => ['--callback-url', u, '--logout-url', u]);
    env.startEmulator = async (config = 'tests/fixtures/demo-pool.json') => {
      // Cognito-exact tokens (iss = https://cognito-idp.{region}.amazonaws.com/{poolId}, not the
      // emulator's URL), so the library is always tested against what Cognito really issues.
      const issuer = ['--issuer', process.env.E2E_EMULATOR_ISSUER ?? 'aws'];
      const emu = await startServer('emulator', bin, ['--port', '0', '--config', config, ...issuer, ...hosted], 'cognito-emulator listening on');
      env.procs.push(emu.proc);
      return { url: emu.url, endpoint: `${emu.url}/` };
    };
    const emu = await env.startEmulator();
    env.emulatorUrl = emu.url;
    env.endpoint = emu.endpoint;
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      env: { ...process.env, TMPDIR: tmp, HOME: tmp },
      timeout: 60_000,
    });
  } catch (e) {
    await env.close();
    throw e;
  }

  /** URL of the demo page configured for this emulator. */
  env.demoUrl = (extra = {}) => {
    const q = new URLSearchParams({ endpoint: env.endpoint, userPoolId: POOL_ID, clientId: CLIENT_ID, ...extra });
    return `${env.webUrl}/?${q}`;
  };

  /** POST to the emulator's control API. */
  env.control = async (p, body) => {
    const r = await fetch(`${env.emulatorUrl}/_emulator/${p}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? '{}' : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`/_emulator/${p}: HTTP ${r.status} ${await r.text()}`);
  };

  /** A fresh context + page that records uncaught page errors in page.errors. */
  env.newPage = async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e));
    return page;
  };
  return env;
}

/** Opens the demo and waits until it settled on signed-in or signed-out. */
export async function openDemo(env, page, extra) {
  await page.goto(env.demoUrl(extra));
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="signed-out"], body[data-state="error"]');
}

export async function signIn(page, username, password) {
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByTestId('signin-submit').click();
  // The session appears, a challenge panel (MFA, new password, …), or an error alert.
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="challenge"], [role="alert"]:not([hidden])');
}

export async function cognitoKeys(page, area = 'localStorage') {
  return page.evaluate(([prefix, area]) => {
    const store = window[area];
    const out = {};
    for (let i = 0; i < store.length; i++) {
      const k = store.key(i);
      if (k.startsWith(prefix)) out[k] = store.getItem(k);
    }
    return out;
  }, [KEY_PREFIX, area]);
}

export async function alertCode(page) {
  const alert = page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  return { code: await page.getByTestId('error-code').textContent(), text: await alert.textContent() };
}

// ---- RFC 6238 TOTP (HMAC-SHA-1, 30 s steps, 6 digits), for codes an authenticator app would show.
export function base32Decode(s) {
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | v; bits += 5;
    if (bits >= 8) { bits -= 8; out.push((value >>> bits) & 0xff); }
  }
  return Buffer.from(out);
}
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const off = h[19] & 0x0f;
  const bin = h.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}
/** The TOTP code for a base32 secret at `ms` (default: now). */
export const totp = (secretB32, ms = Date.now()) => hotp(base32Decode(secretB32), Math.floor(ms / 30_000));
