// Shared setup for the peer suite: AWS's own clients (aws-amplify v6,
// amazon-cognito-identity-js) and oidc-client-ts, bundled with esbuild, in headless Debian
// Chromium (playwright-core, no browser download, its own TMPDIR), against a private
// emulator. The page is served as http://localhost:PORT (WebAuthn refuses an IP address as
// relying-party id); the servers bind 127.0.0.1.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const POOL_ID = 'us-east-1_EmuPool01';
export const CLIENT_ID = '7f3kq2m9emulatorclient0001';
export const DEVICES_CLIENT_ID = '3devicesclient00emulator01';
/** demo-pool.json's client with refresh-token rotation ENABLED (10 s grace period). */
export const ROTATING_CLIENT_ID = '5rotatingclient0emulator1';
export const IDENTITY_POOL_ID = 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001';
export const MFA_POOL_ID = 'us-east-1_EmuMfaReq';
export const MFA_CLIENT_ID = '7f3kq2m9emulatormfaclient1';
export const AUTHENTICATOR = {
  protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
  isUserVerified: true, automaticPresenceSimulation: true,
};
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
  '--disable-dev-shm-usage',
  // The emulator's hosted UI over TLS has a certificate made at its start.
  '--ignore-certificate-errors',
];

/** Spawns the emulator; resolves with { url, httpsUrl?, proc } once it printed its URL(s). */
function startEmulator(bin, args, wantHttps) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    let url; let httpsUrl;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`emulator did not start within 60 s:\n${output.join('\n')}`));
    }, 60_000);
    proc.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code ?? sig}) before listening:\n${output.join('\n')}`));
    });
    proc.stderr.on('data', (d) => {
      output.push(String(d).trimEnd());
      if (process.env.E2E_VERBOSE) process.stderr.write(`[emulator] ${d}`);
    });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      output.push(line);
      let m = line.match(/^cognito-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/);
      if (m) url = m[1];
      m = line.match(/^cognito-emulator hosted UI on (https:\/\/localhost:\d+)$/);
      if (m) httpsUrl = m[1];
      if (url && (httpsUrl || !wantHttps)) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ url, httpsUrl, proc });
      }
    });
  });
}

function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}

/** esbuild bundles of src/*.js, made once per process (a few hundred ms). */
async function bundles() {
  const out = {};
  for (const name of ['amplify', 'cij', 'oidc']) {
    const r = await esbuild.build({
      entryPoints: [path.join(HERE, 'src', `${name}.js`)],
      bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false,
      absWorkingDir: HERE, nodePaths: [path.join(HERE, 'node_modules')],
      define: { global: 'window' }, logLevel: 'silent',
    });
    out[`/${name}.js`] = r.outputFiles[0].contents;
  }
  return out;
}

const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>peer</title>'
  + '<script src="/amplify.js"></script><script src="/cij.js"></script><script src="/oidc.js"></script>'
  + '</head><body><main>peer test page</main></body></html>';

/**
 * Starts the static server, the emulator(s) and the browser. Options: { https, mfaPool,
 * updatedIssuer } (updatedIssuer: a second emulator whose tokens carry Cognito's updated
 * issuer, `--issuer aws-updated`, at env.updatedEndpoint).
 * Returns an env object; call env.close() in `after`.
 */
export async function setup({ https = false, mfaPool = false, updatedIssuer = false } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cognito-peers-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp; // playwright-core makes its profile under os.tmpdir()
  const env = { tmp, procs: [] };
  env.close = async () => {
    if (env.browser) await env.browser.close().catch(() => {});
    await Promise.all(env.procs.map(stop));
    if (env.web) await new Promise((r) => env.web.close(r));
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const bin = process.env.COGNITO_EMULATOR_BIN
      ?? path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'),
        'emulator', 'cognito-emulator');
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run cargo build --profile emulator -p cognito-emulator`);
    const files = await bundles();
    env.web = http.createServer((req, res) => {
      const p = new URL(req.url, 'http://x').pathname;
      const body = files[p] ?? PAGE;
      res.writeHead(200, {
        'Content-Type': files[p] ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    });
    await new Promise((r) => env.web.listen(0, '127.0.0.1', r));
    env.origin = `http://localhost:${env.web.address().port}`;
    env.appUrl = `${env.origin}/`;
    env.callbackUrl = `${env.origin}/callback`;
    const hosted = ['--callback-url', env.appUrl, '--logout-url', env.appUrl,
      '--callback-url', env.callbackUrl, '--logout-url', `${env.origin}/signed-out`];
    const start = async (config, extra = []) => {
      const emu = await startEmulator(bin, ['--port', '0', '--config', config, ...hosted, ...extra], extra.includes('--tls-port'));
      env.procs.push(emu.proc);
      return emu;
    };
    const emu = await start('tests/fixtures/demo-pool.json', https ? ['--tls-port', '0'] : []);
    env.emulatorUrl = emu.url;
    env.endpoint = `${emu.url}/`;
    env.httpsUrl = emu.httpsUrl;
    if (mfaPool) {
      const m = await start('tests/fixtures/mfa-required-pool.json');
      env.mfaEmulatorUrl = m.url;
      env.mfaEndpoint = `${m.url}/`;
    }
    if (updatedIssuer) {
      const u = await start('tests/fixtures/demo-pool.json', ['--issuer', 'aws-updated']);
      env.updatedEndpoint = `${u.url}/`;
    }
    env.browser = await chromium.launch({
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, TMPDIR: tmp, HOME: tmp }, timeout: 60_000,
    });
  } catch (e) {
    await env.close();
    throw e;
  }

  /** POST to an emulator's control API. */
  env.control = async (p, body, base = env.emulatorUrl) => {
    const r = await fetch(`${base}/_emulator/${p}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? '{}' : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`/_emulator/${p}: HTTP ${r.status} ${await r.text()}`);
  };
  env.get = async (p, base = env.emulatorUrl) => {
    const r = await fetch(`${base}/_emulator/${p}`);
    assert.equal(r.status, 200, `GET /_emulator/${p}`);
    return r.json();
  };
  /** The newest code the emulator "sent" to `username` for `purpose`. */
  env.code = async (username, purpose, base = env.emulatorUrl) => {
    const box = (await env.get('outbox', base)).filter((m) => m.username === username && m.purpose === purpose);
    assert.ok(box.length > 0, `no ${purpose} code for ${username} in the outbox`);
    return box.at(-1).code;
  };

  env.contexts = [];
  /**
   * A fresh browser context on the peer page, emulators reset. Returns { page, context }.
   * `path` picks the page URL (default /).
   */
  env.open = async ({ path: p = '/', authenticator = false } = {}) => {
    await env.control('reset');
    if (env.mfaEmulatorUrl) await env.control('reset', undefined, env.mfaEmulatorUrl);
    const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
    env.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e));
    await page.goto(`${env.origin}${p}`);
    let cdp; let authenticatorId;
    if (authenticator) {
      cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable', { enableUI: false });
      ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR }));
    }
    return { page, context, cdp, authenticatorId };
  };
  /** Closes this test's contexts; fails if a page threw an uncaught exception. */
  env.closePages = async () => {
    const errors = [];
    for (const c of env.contexts.splice(0)) {
      for (const pg of c.pages()) errors.push(...(pg.errors ?? []).map((e) => e.stack ?? String(e)));
      await c.close();
    }
    assert.deepEqual(errors, [], 'the page threw uncaught exceptions');
  };
  return env;
}

/**
 * Runs `async (arg) => …` in the page: resolves with its value, or rejects with an Error
 * whose .peer is { name, code, message } of what the page's promise rejected with.
 */
export async function run(page, fn, arg) {
  const r = await page.evaluate(async ([src, a]) => {
    try {
      // eslint-disable-next-line no-eval
      return { value: await (0, eval)(`(${src})`)(a) };
    } catch (e) {
      return { error: { name: e?.name, code: e?.code, message: e?.message ?? String(e) } };
    }
  }, [String(fn), arg]);
  if (r.error) {
    const err = new Error(`page rejected: ${r.error.name}: ${r.error.message}`);
    err.peer = r.error;
    throw err;
  }
  return r.value;
}

/** Like run(), but expects a rejection; returns its { name, code, message }. */
export async function rejects(page, fn, arg) {
  try {
    const v = await run(page, fn, arg);
    assert.fail(`expected a rejection, got ${JSON.stringify(v)}`);
  } catch (e) {
    if (!e.peer) throw e;
    return e.peer;
  }
}

/** Decodes a JWT's payload (no verification: the emulator's own tests check signatures). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

// ---- RFC 6238 TOTP (HMAC-SHA-1, 30 s steps, 6 digits), as an authenticator app shows it.
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
export function totp(secretB32, ms = Date.now()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const h = crypto.createHmac('sha1', base32Decode(secretB32)).update(msg).digest();
  const off = h[19] & 0x0f;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
