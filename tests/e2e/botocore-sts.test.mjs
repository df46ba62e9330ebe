// Independent peer: botocore (PyPI, the exact pins of tests/vectors/sigv4/requirements.txt,
// sharing that generator's tests/vectors/sigv4/.venv) speaks to the emulator's basic flow —
// GetOpenIdToken (JSON 1.1) and STS AssumeRoleWithWebIdentity (the query protocol, XML) —
// and parses every reply with its own service models, so the emulator's wire shapes (which
// the library's STS reader is tested against) are the ones AWS's SDK expects. The STS
// credentials then sign a request with botocore's SigV4Auth that the emulator's
// /_protected/ API must accept. No browser: tests/e2e/identity.test.mjs runs the library.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import crypto from 'node:crypto';
import { ROOT, CLIENT_ID, USERS } from './harness.mjs';

const DIR = path.join(ROOT, 'tests', 'vectors', 'sigv4');
const VENV = path.join(DIR, '.venv');
const IDENTITY_POOL = 'us-east-1:0a1b2c3d-0000-4000-8000-00000000e001';
const AUTH_ROLE = 'arn:aws:iam::000000000000:role/EmuCognitoAuthenticated';
const READ_ROLE = 'arn:aws:iam::000000000000:role/EmuCognitoReadOnly';
let emulator;
let endpoint;

/** The venv tests/vectors/sigv4/generate.sh makes (same stamp: the requirements' SHA-256). */
function ensureBotocore() {
  const want = crypto.createHash('sha256').update(fs.readFileSync(path.join(DIR, 'requirements.txt'))).digest('hex');
  const stamp = path.join(VENV, '.vectors-stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return;
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  };
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', '--clear', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', path.join(DIR, 'requirements.txt')]);
  fs.writeFileSync(stamp, `${want}\n`);
}

before(async () => {
  ensureBotocore();
  const bin = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'emulator', 'cognito-emulator');
  emulator = spawn(bin, ['--port', '0', '--config', 'tests/fixtures/demo-pool.json', '--issuer', 'aws', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not start')), 60_000);
    emulator.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the emulator exited ${code}`)); });
    readline.createInterface({ input: emulator.stdout }).on('line', (line) => {
      const m = line.match(/^cognito-emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/);
      if (m) { clearTimeout(timer); emulator.removeAllListeners('exit'); resolve(`${m[1]}/`); }
    });
  });
}, { timeout: 900_000 });

after(() => { emulator?.kill('SIGTERM'); });

test('botocore: GetOpenIdToken and STS AssumeRoleWithWebIdentity against the emulator, parsed by botocore; its SigV4 accepted', { timeout: 120_000 }, () => {
  const input = {
    endpoint, clientId: CLIENT_ID, username: USERS.demo.username, password: USERS.demo.password,
    identityPoolId: IDENTITY_POOL, roles: [AUTH_ROLE, READ_ROLE], untrustedRole: 'arn:aws:iam::000000000000:role/NotTrusted',
  };
  const r = spawnSync(path.join(VENV, 'bin', 'python'), [path.join(ROOT, 'tests', 'e2e', 'botocore_sts.py')],
    { input: JSON.stringify(input), encoding: 'utf8', timeout: 100_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.botocore, '1.44.5');
  assert.match(out.identityId, /^us-east-1:[0-9a-f-]{36}$/);
  // The pool starts without the classic flow: Cognito's error, as botocore reads it.
  assert.deepEqual(out.classicOff, { code: 'InvalidParameterException', message: 'Basic (classic) flow is not enabled, please use enhanced flow.', status: 400 });
  assert.equal(out.openIdIdentityId, out.identityId);
  assert.deepEqual(out.openIdClaims.iss, 'https://cognito-identity.amazonaws.com');
  assert.equal(out.openIdClaims.aud, IDENTITY_POOL);
  assert.equal(out.openIdClaims.sub, out.identityId);
  assert.equal(out.openIdClaims.amr[0], 'authenticated');
  assert.equal(out.openIdLifetime, 600);
  assert.equal(out.roles.length, 2);
  out.roles.forEach((c, i) => {
    const role = [AUTH_ROLE, READ_ROLE][i];
    assert.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c.expirationIsAware, 'Expiration parsed by botocore as an aware datetime');
    assert.ok(c.expiresInSeconds > 3500 && c.expiresInSeconds <= 3600, `expires in ${c.expiresInSeconds} s`);
    assert.equal(c.subject, out.identityId);
    assert.equal(c.audience, IDENTITY_POOL);
    assert.equal(c.provider, 'cognito-identity.amazonaws.com');
    assert.equal(c.assumedRoleArn, `arn:aws:sts::000000000000:assumed-role/${role.split('/').pop()}/botocore-peer`);
    assert.deepEqual(c.api, { status: 200, body: { identityId: out.identityId, accessKeyId: c.accessKeyId, method: 'POST', path: '/_protected/hello', roleArn: role } });
  });
  assert.notEqual(out.roles[0].accessKeyId, out.roles[1].accessKeyId);
  assert.deepEqual(out.untrusted, { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 });
  assert.equal(out.forged.code, 'InvalidIdentityToken', 'a user-pool ID token is not an identity-pool OpenID token');
  assert.equal(out.forged.status, 400);
});
