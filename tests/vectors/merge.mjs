#!/usr/bin/env node
// Step 4 of generate.sh: cross-check CIJ, pycognito and the generator's own reference
// computation, then write the final srp-vectors.json to stdout. Exits non-zero (and
// says why) on any disagreement that is not the one expected, documented case.
//
// Usage: node merge.mjs inputs.json cij.json pycognito.json NODE_VERSION PYTHON_VERSION
//                       [--toolchain-from committed.json]
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';

const [inputsPath, cijPath, pyPath, nodeVersion, pythonVersion, flag, committedPath] = process.argv.slice(2);
const load = (p) => JSON.parse(readFileSync(p, 'utf8'));
const inputs = load(inputsPath);
const cij = load(cijPath);
const py = load(pyPath);

const CIJ = 'amazon-cognito-identity-js';
const PY = 'pycognito';
const errors = [];
const fail = (msg) => errors.push(msg);

// ---------------------------------------------------------------- constants
if (cij.constants.N !== inputs.constants.N) fail('N differs between CIJ and the reference');
if (cij.constants.g !== inputs.constants.g) fail('g differs between CIJ and the reference');
if (cij.constants.k !== inputs.constants.k) fail(`k: CIJ ${cij.constants.k} != reference ${inputs.constants.k}`);
if (py.constants.k !== inputs.constants.k) fail(`k: pycognito ${py.constants.k} != reference ${inputs.constants.k}`);

// ---------------------------------------------------------------- SRP vectors
if (cij.vectors.length !== inputs.vectors.length || py.vectors.length !== inputs.vectors.length) {
  fail('vector counts differ');
}
const srpVectors = inputs.vectors.map((v, i) => {
  const c = cij.vectors[i]; const p = py.vectors[i]; const r = v.reference;
  if (c.id !== v.id || p.id !== v.id) fail(`${v.id}: id mismatch`);
  // CIJ must equal the independent reference (server S and client formula) everywhere
  for (const f of ['A', 'u', 'S', 'key', 'timestamp', 'signature']) {
    if (c[f] !== r[f]) fail(`${v.id}: ${f} CIJ ${c[f]} != reference ${r[f]}`);
  }
  // pycognito must equal CIJ on A, u, timestamp always ...
  for (const f of ['A', 'u', 'timestamp']) {
    if (p[f] !== c[f]) fail(`${v.id}: ${f} pycognito ${p[f]} != CIJ ${c[f]}`);
  }
  // ... and on key/signature unless this is the redundant-leading-00 salt case
  const pyAgrees = p.key === c.key && p.signature === c.signature;
  if (v.expectPycognitoDiffers && pyAgrees) {
    fail(`${v.id}: expected pycognito to differ (salt ${v.input.salt}) but it agrees`);
  }
  if (!v.expectPycognitoDiffers && !pyAgrees) {
    fail(`${v.id}: key/signature pycognito ${p.key}/${p.signature} != CIJ ${c.key}/${c.signature}`);
  }
  const out = {
    id: v.id,
    description: v.description,
    features: v.features,
    poolName: v.input.poolName,
    userIdForSrp: v.input.userIdForSrp,
    password: v.input.password,
    a: v.input.a,
    salt: v.input.salt,
    secretBlock: v.input.secretBlock,
    timestampEpochMs: v.input.timestampEpochMs,
    timestamp: c.timestamp,
    b: v.server.b,
    x: v.server.x,
    v: v.server.v,
    B: v.input.B,
    A: c.A,
    u: c.u,
    S: c.S,
    key: c.key,
    signature: c.signature,
    agreedBy: pyAgrees ? [CIJ, PY] : [CIJ],
  };
  if (!pyAgrees) {
    out.pycognitoKey = p.key;
    out.pycognitoSignature = p.signature;
  }
  return out;
});

// ---------------------------------------------------------------- timestamps
const timestamps = inputs.timestamps.map((t, i) => {
  const c = cij.timestamps[i]; const p = py.timestamps[i];
  if (c.epochMs !== t.epochMs || p.epochMs !== t.epochMs) fail(`timestamp ${i}: epoch mismatch`);
  if (c.timestamp !== t.reference) fail(`timestamp ${t.epochMs}: CIJ "${c.timestamp}" != reference "${t.reference}"`);
  if (p.timestamp !== c.timestamp) fail(`timestamp ${t.epochMs}: pycognito "${p.timestamp}" != CIJ "${c.timestamp}"`);
  if (p.deviceTimestamp !== c.timestamp) {
    fail(`timestamp ${t.epochMs}: pycognito strftime path "${p.deviceTimestamp}" != CIJ "${c.timestamp}"`);
  }
  return { epochMs: t.epochMs, iso: new Date(t.epochMs).toISOString(), timestamp: c.timestamp, agreedBy: [CIJ, PY] };
});

// ---------------------------------------------------------------- SECRET_HASH
const secretHash = inputs.secretHash.map((s, i) => {
  const p = py.secretHash[i];
  const node = createHmac('sha256', Buffer.from(s.clientSecret, 'utf8'))
    .update(Buffer.from(s.username + s.clientId, 'utf8')).digest('base64');
  if (p.username !== s.username || p.clientId !== s.clientId || p.clientSecret !== s.clientSecret) {
    fail(`secretHash ${i}: input mismatch`);
  }
  if (p.secretHash !== node) fail(`secretHash ${i}: pycognito ${p.secretHash} != node:crypto ${node}`);
  return { username: s.username, clientId: s.clientId, clientSecret: s.clientSecret, secretHash: p.secretHash,
    agreedBy: [PY, 'node:crypto'] };
});

if (errors.length) {
  process.stderr.write(`merge.mjs: ${errors.length} disagreement(s):\n  ${errors.join('\n  ')}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------- provenance
let toolchain = { node: nodeVersion, python: pythonVersion };
if (flag === '--toolchain-from' && committedPath) {
  // --check: keep the committed toolchain record so the diff only covers the vectors
  const committed = load(committedPath).provenance?.toolchain;
  if (committed && (committed.node !== nodeVersion || committed.python !== pythonVersion)) {
    process.stderr.write(`note: committed file was generated with node ${committed.node} / python ` +
      `${committed.python}; this run used node ${nodeVersion} / python ${pythonVersion}\n`);
  }
  if (committed) toolchain = committed;
}

const result = {
  provenance: {
    generator: 'tests/vectors/generate.sh (gen-inputs.mjs -> gen-cij.mjs, gen_pycognito.py -> merge.mjs)',
    regenerate: 'tests/vectors/generate.sh; verify with tests/vectors/generate.sh --check',
    packages: {
      'amazon-cognito-identity-js': cij.version,
      '@aws-crypto/sha256-js': cij.sha256jsVersion,
      pycognito: py.version,
    },
    sources: {
      'amazon-cognito-identity-js': 'lib/AuthenticationHelper.js (getLargeAValue/calculateA, getPasswordAuthenticationKey), ' +
        'lib/DateHelper.js (getNowString under a faked Date), signature as in lib/CognitoUser.js authenticateUserDefaultAuth',
      pycognito: 'pycognito.aws_srp.AWSSRP (calculate_a, get_password_authentication_key, process_challenge and ' +
        'process_device_challenge under a fixed utcnow, get_secret_hash)',
      reference: 'gen-inputs.mjs: plain JS BigInt + node:crypto; server side b, x, v, B = (k*v + g^b) mod N and ' +
        'S = (A*v^u)^b mod N; also the client formula, HKDF and signature. Every vector: reference == CIJ on ' +
        'A, u, S, key, timestamp, signature.',
    },
    toolchain,
    seed: inputs.seed,
    deterministic: 'All inputs come from a SHA-256 counter PRNG with a fixed seed and fixed epoch times; ' +
      'regenerating yields a byte-identical file (no dates, no per-run values).',
    encoding: 'a, b, x, v, A, B, u, S and srpConstants are minimal lowercase hex (BigInt.toString(16), like the ' +
      'wire SRP_A/SRP_B); salt is the SALT string exactly as sent on the wire; key is 16 bytes as hex; ' +
      'secretBlock, signature and secretHash are standard base64.',
  },
  srpConstants: { N: inputs.constants.N, g: inputs.constants.g, k: inputs.constants.k },
  srpVectors,
  timestamps,
  secretHash,
};
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
