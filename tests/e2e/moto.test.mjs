// Independent peer: moto's cognito-identity (PyPI, pinned in tests/peers/moto/requirements.txt,
// installed into tests/peers/moto/.venv on first run) answering the library's own GetId /
// GetCredentialsForIdentity requests. The package runs in Node here (initSync + Node's fetch;
// storage falls back to memory), the user-pool sign-in goes to our emulator.
//
// moto 5.2.5's known gaps (what this test therefore cannot check against it):
// - An unsigned call (no Authorization header) to an IP-address host is a 500: moto takes the
//   region from Authorization or from the Host name. Real GetId/GetCredentialsForIdentity are
//   unsigned, so a small proxy below rewrites Host to cognito-identity.us-east-1.amazonaws.com.
// - GetId does not check the Logins tokens (any string passes) and returns a new random
//   identity id on every call, so "stable identity per user" cannot be checked.
// - GetCredentialsForIdentity answers any identity id, known or not, with the same fixed
//   credentials (TESTACCESSKEY12345 / ABCSECRETKEY / ABC12345): no ResourceNotFoundException,
//   no NotAuthorizedException, AllowUnauthenticatedIdentities is not enforced, and no
//   linking of a guest identity to a login (the emulator's identity pool checks that).
// - GetId for an unknown identity pool is a 500 instead of ResourceNotFoundException.
// - Nothing in moto verifies SigV4, so signing is checked against botocore's vectors and the
//   emulator's /_protected/ API instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import crypto from 'node:crypto';
import { ROOT, POOL_ID, CLIENT_ID, USERS } from './harness.mjs';

const VENV = path.join(ROOT, 'tests', 'peers', 'moto', '.venv');
const REQS = path.join(ROOT, 'tests', 'peers', 'moto', 'requirements.txt');
const procs = [];
let motoUrl;
let emulatorUrl;
let proxyUrl;
let proxy;
const seen = [];

function ensureMoto() {
  const want = crypto.createHash('sha256').update(fs.readFileSync(REQS)).digest('hex');
  const stamp = path.join(VENV, '.stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return;
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  };
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', '--clear', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', REQS]);
  fs.writeFileSync(stamp, want);
}

function start(cmd, args, pattern) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    const out = [];
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start:\n${out.join('\n')}`)), 60_000);
    const onLine = (line) => {
      out.push(line);
      const m = line.match(pattern);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    readline.createInterface({ input: p.stdout }).on('line', onLine);
    readline.createInterface({ input: p.stderr }).on('line', onLine);
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited ${code}:\n${out.join('\n')}`)); });
  });
}

async function motoCall(target, body) {
  const r = await fetch(`${motoUrl}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityService.${target}`,
      // moto needs a region; the admin calls are not the library's.
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-identity/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `${target}: ${text}`);
  return JSON.parse(text);
}

before(async () => {
  ensureMoto();
  const port = 20000 + crypto.randomInt(20000);
  motoUrl = await start(path.join(VENV, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)],
    /Running on (http:\/\/127\.0\.0\.1:\d+)/);
  const bin = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'emulator', 'cognito-emulator');
  emulatorUrl = await start(bin, ['--port', '0', '--config', 'tests/fixtures/demo-pool.json', '--quiet'], /^cognito-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  // Forwards the library's requests unchanged except for Host (see the gaps above).
  const target = new URL(motoUrl);
  proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ target: req.headers['x-amz-target'], contentType: req.headers['content-type'], authorization: req.headers.authorization, body: body.toString() });
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: 'cognito-identity.us-east-1.amazonaws.com' } }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      up.end(body);
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}/`;
}, { timeout: 900_000 });

after(async () => {
  proxy?.close();
  for (const p of procs) p.kill('SIGTERM');
});

test('GetId + GetCredentialsForIdentity against moto: guest, then signed in with the Logins map', { timeout: 120_000 }, async () => {
  const pool = await motoCall('CreateIdentityPool', { IdentityPoolName: 'cognito_wasm_peer', AllowUnauthenticatedIdentities: true });
  assert.match(pool.IdentityPoolId, /^us-east-1:[0-9a-f-]{36}$/);
  const { initSync, CognitoAuth } = await import(path.join(ROOT, 'pkg', 'cognito_wasm.js'));
  initSync({ module: fs.readFileSync(path.join(ROOT, 'pkg', 'cognito_wasm_bg.wasm')) });
  const auth = new CognitoAuth({
    userPoolId: POOL_ID, clientId: CLIENT_ID, endpoint: `${emulatorUrl}/`,
    identityPoolId: pool.IdentityPoolId, identityEndpoint: proxyUrl,
  });
  assert.equal(auth.storageKind, 'memory');

  // Guest.
  const guest = await auth.getAwsCredentials();
  assert.deepEqual(seen.map((s) => s.target), ['AWSCognitoIdentityService.GetId', 'AWSCognitoIdentityService.GetCredentialsForIdentity']);
  for (const s of seen) {
    assert.equal(s.contentType, 'application/x-amz-json-1.1');
    assert.equal(s.authorization, undefined, 'identity calls are unsigned');
  }
  assert.deepEqual(JSON.parse(seen[0].body), { IdentityPoolId: pool.IdentityPoolId });
  assert.deepEqual(JSON.parse(seen[1].body), { IdentityId: guest.identityId });
  assert.match(guest.identityId, /^us-east-1:[0-9a-f-]{36}$/);
  assert.equal(guest.accessKeyId, 'TESTACCESSKEY12345');
  assert.equal(guest.secretAccessKey, 'ABCSECRETKEY');
  assert.equal(guest.sessionToken, 'ABC12345');
  assert.ok(guest.expiration instanceof Date && guest.expiration.getTime() > Date.now(), 'moto\'s fractional Expiration parsed');

  // Signed in (against the emulator): the ID token goes in the Logins map under the pool's provider name.
  seen.length = 0;
  const r = await auth.signIn({ username: USERS.demo.username, password: USERS.demo.password });
  assert.equal(r.type, 'signedIn');
  // The guest's identity id goes with the login, for Cognito to link (guest → signed in);
  // moto answers for any identity id, with that id.
  const user = await auth.getAwsCredentials();
  assert.deepEqual(seen.map((s) => s.target), ['AWSCognitoIdentityService.GetCredentialsForIdentity']);
  const logins = { [`cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`]: r.session.idToken };
  assert.deepEqual(JSON.parse(seen[0].body), { IdentityId: guest.identityId, Logins: logins });
  assert.equal(user.identityId, guest.identityId);

  // After sign-out and in again (no guest id left): GetId with the Logins map, then credentials.
  await auth.signOut();
  const again = await auth.signIn({ username: USERS.demo.username, password: USERS.demo.password });
  seen.length = 0;
  const user2 = await auth.getAwsCredentials();
  assert.deepEqual(seen.map((s) => s.target), ['AWSCognitoIdentityService.GetId', 'AWSCognitoIdentityService.GetCredentialsForIdentity']);
  const logins2 = { [`cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`]: again.session.idToken };
  assert.deepEqual(JSON.parse(seen[0].body), { IdentityPoolId: pool.IdentityPoolId, Logins: logins2 });
  assert.deepEqual(JSON.parse(seen[1].body), { IdentityId: user2.identityId, Logins: logins2 });

  // Cached: no more calls; signing works with moto's credentials (moto does not check it).
  seen.length = 0;
  const signed = await auth.signRequest({ url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/x', method: 'GET' }, { service: 'execute-api' });
  assert.equal(seen.length, 0);
  assert.match(signed.headers.Authorization, /^AWS4-HMAC-SHA256 Credential=TESTACCESSKEY12345\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  assert.equal(signed.headers['X-Amz-Security-Token'], 'ABC12345');
  await auth.signOut();
  auth.free();
});
