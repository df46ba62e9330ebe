#!/usr/bin/env node
// Remembered-device vectors (device-vectors.json), the sibling of the SRP vectors:
//   ConfirmDevice: device password (base64 of 40 random bytes), salt (padHex of 16 random
//     bytes), verifier = padHex(g^x), x = H(salt ‖ H(groupKey ‖ deviceKey ‖ ":" ‖ password));
//   DEVICE_PASSWORD_VERIFIER: A, key, TIMESTAMP, signature with the group key as the pool
//     name and the device key as the user id.
// Three computations must agree on every value:
//   reference  plain BigInt + node:crypto (this file, `inputs`);
//   CIJ        amazon-cognito-identity-js AuthenticationHelper.generateHashDevice with its
//              random source (utils/cryptoSecureRandomInt) fed the fixed bytes, and
//              getPasswordAuthenticationKey + the signature as in CognitoUser.getDeviceResponse;
//   pycognito  generate_hash_device with os.urandom fed the fixed bytes, and
//              AWSSRP.process_device_challenge (gen_devices_pycognito.py).
//
// Usage: node gen-devices.mjs inputs > inputs.json
//        node gen-devices.mjs cij inputs.json > cij.json
//        node gen-devices.mjs merge inputs.json cij.json pycognito.json > device-vectors.json
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const SEED = 'cognito-wasm device vectors v1';
let ctr = 0;
let pool = Buffer.alloc(0);
function randBytes(n) {
  while (pool.length < n) {
    pool = Buffer.concat([pool, createHash('sha256').update(`${SEED}/${ctr++}`).digest()]);
  }
  const out = Buffer.from(pool.subarray(0, n));
  pool = pool.subarray(n);
  return out;
}

const N = BigInt('0x' +
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22' +
  '514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6' +
  'F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB' +
  '9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E8603' +
  '9B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7D' +
  'B3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864' +
  'D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF');
const g = 2n;
function modPow(b, e, m) {
  let r = 1n; b %= m;
  while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; }
  return r;
}
function padHex(n) {
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  else if (/^[89a-f]/.test(h)) h = '00' + h;
  return h;
}
const sha256 = (buf) => createHash('sha256').update(buf).digest();
const H = (hex) => sha256(Buffer.from(hex, 'hex'));
const big = (buf) => BigInt('0x' + buf.toString('hex'));
const k = big(H(padHex(N) + padHex(g)));
const WEEK = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');
function cognitoTimestamp(ms) {
  const d = new Date(ms);
  return `${WEEK[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${d.getUTCDate()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

// ---------------------------------------------------------------- inputs + reference
const SALT_KINDS = ['plain', 'high-bit', 'leading-zero-byte', 'odd-length', 'plain', 'high-bit', 'plain', 'high-bit'];
const EPOCHS = [1704164645000, 1709251199000, 1735689599000, 1700000000000, 1718236800000, 1723680000000,
  1727740800000, 1730419200000];

function saltBytes(kind) {
  const s = randBytes(16);
  if (kind === 'plain') s[0] = (s[0] & 0x7f) | 0x10;
  if (kind === 'high-bit') s[0] |= 0x80;
  if (kind === 'leading-zero-byte') { s[0] = 0; s[1] = (s[1] & 0x7f) | 0x10; }
  if (kind === 'odd-length') { s[0] = 0; s[1] = (s[1] & 0x0f) | 0x01; }
  return s;
}

function inputs() {
  const vectors = SALT_KINDS.map((kind, i) => {
    const groupKey = '-' + randBytes(6).toString('base64url');
    const deviceKey = `us-east-1_${randBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}`;
    const passwordRandom = randBytes(40);
    const saltRandom = saltBytes(kind);
    const a = randBytes(128);
    const b = randBytes(64);
    const secretBlock = randBytes(96).toString('base64');
    const epochMs = EPOCHS[i % EPOCHS.length];
    // reference: ConfirmDevice
    const password = passwordRandom.toString('base64');
    const salt = padHex(big(saltRandom));
    const inner = sha256(Buffer.from(`${groupKey}${deviceKey}:${password}`, 'utf8')).toString('hex');
    const x = big(H(salt + inner));
    const v = modPow(g, x, N);
    // reference: DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER (server side S)
    const A = modPow(g, big(a), N);
    const B = (k * v + modPow(g, big(b), N)) % N;
    const u = big(H(padHex(A) + padHex(B)));
    const S = modPow((A * modPow(v, u, N)) % N, big(b), N);
    const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
    const key = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])])).digest().subarray(0, 16);
    const timestamp = cognitoTimestamp(epochMs);
    const signature = createHmac('sha256', key).update(Buffer.concat([
      Buffer.from(groupKey), Buffer.from(deviceKey), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)])).digest('base64');
    return {
      id: `device-${String(i + 1).padStart(2, '0')}`,
      saltKind: kind,
      input: {
        deviceGroupKey: groupKey, deviceKey, passwordRandom: passwordRandom.toString('hex'),
        saltRandom: saltRandom.toString('hex'), a: a.toString('hex'), b: b.toString('hex'), secretBlock, timestampEpochMs: epochMs,
      },
      reference: {
        devicePassword: password, salt, verifier: padHex(v),
        A: A.toString(16), B: B.toString(16), u: u.toString(16), key: key.toString('hex'), timestamp, signature,
      },
    };
  });
  return { seed: SEED, vectors };
}

// ---------------------------------------------------------------- CIJ
function cij(inputsPath) {
  const require = createRequire(import.meta.url);
  const cijRequire = createRequire(require.resolve('amazon-cognito-identity-js/lib/CognitoUser.js'));
  const AuthenticationHelper = cijRequire('./AuthenticationHelper').default;
  const BigInteger = cijRequire('./BigInteger').default;
  const DateHelper = cijRequire('./DateHelper').default;
  const { Sha256 } = cijRequire('@aws-crypto/sha256-js');
  const { Buffer: CijBuffer } = cijRequire('buffer');
  const randomInt = cijRequire('./utils/cryptoSecureRandomInt');
  const realRandom = randomInt.default;
  const { vectors } = JSON.parse(readFileSync(inputsPath, 'utf8'));

  // CIJ's randomBytes(n) = n/4 words from cryptoSecureRandomInt(), big-endian.
  // Armed only around generateHashDevice (the helper's constructor draws its own a).
  let queue = [];
  let armed = false;
  randomInt.default = () => {
    if (!armed) return realRandom();
    if (queue.length === 0) throw new Error('CIJ asked for more random words than fed');
    return queue.shift();
  };
  const feed = (hex) => {
    const b = Buffer.from(hex, 'hex');
    for (let i = 0; i < b.length; i += 4) queue.push(b.readUInt32BE(i));
  };
  const RealDate = Date;
  const nowStringAt = (ms) => {
    globalThis.Date = class extends RealDate {
      constructor(...args) { if (args.length === 0) super(ms); else super(...args); }
      static now() { return ms; }
    };
    try { return new DateHelper().getNowString(); } finally { globalThis.Date = RealDate; }
  };

  const out = vectors.map((v) => {
    const inp = v.input;
    const helper = new AuthenticationHelper(inp.deviceGroupKey);
    feed(inp.passwordRandom);
    feed(inp.saltRandom);
    let err = null;
    armed = true;
    try {
      helper.generateHashDevice(inp.deviceGroupKey, inp.deviceKey, (e) => { err = e; });
    } finally {
      armed = false;
    }
    if (err) throw err;
    if (queue.length !== 0) throw new Error('CIJ used fewer random bytes than expected');
    const confirm = {
      devicePassword: helper.getRandomPassword(),
      salt: helper.getSaltDevices(),
      verifier: helper.getVerifierDevices(),
      // as CognitoUser.setDeviceStatus… ConfirmDevice builds DeviceSecretVerifierConfig
      Salt: CijBuffer.from(helper.getSaltDevices(), 'hex').toString('base64'),
      PasswordVerifier: CijBuffer.from(helper.getVerifierDevices(), 'hex').toString('base64'),
    };
    // CognitoUser.getDeviceResponse: a fresh helper for the device group.
    const login = new AuthenticationHelper(inp.deviceGroupKey);
    login.smallAValue = new BigInteger(inp.a, 16);
    login.largeAValue = undefined;
    login.getLargeAValue((e) => { if (e) throw e; });
    let hkdf = null;
    login.getPasswordAuthenticationKey(inp.deviceKey, confirm.devicePassword,
      new BigInteger(v.reference.B, 16), new BigInteger(v.reference.salt, 16), (e, key) => { if (e) throw e; hkdf = key; });
    const dateNow = nowStringAt(inp.timestampEpochMs);
    const h = new Sha256(hkdf);
    h.update(CijBuffer.concat([CijBuffer.from(inp.deviceGroupKey, 'utf8'), CijBuffer.from(inp.deviceKey, 'utf8'),
      CijBuffer.from(inp.secretBlock, 'base64'), CijBuffer.from(dateNow, 'utf8')]));
    return {
      id: v.id, ...confirm,
      A: login.largeAValue.toString(16), u: login.UValue.toString(16), key: Buffer.from(hkdf).toString('hex'),
      timestamp: dateNow, signature: Buffer.from(h.digestSync()).toString('base64'),
    };
  });
  randomInt.default = realRandom;
  const version = require('amazon-cognito-identity-js/package.json').version;
  return { implementation: 'amazon-cognito-identity-js', version, vectors: out };
}

// ---------------------------------------------------------------- merge
function merge(inputsPath, cijPath, pyPath) {
  const load = (p) => JSON.parse(readFileSync(p, 'utf8'));
  const inp = load(inputsPath); const c = load(cijPath); const p = load(pyPath);
  const errors = [];
  const vectors = inp.vectors.map((v, i) => {
    const r = v.reference; const cv = c.vectors[i]; const pv = p.vectors[i];
    if (cv?.id !== v.id || pv?.id !== v.id) errors.push(`${v.id}: missing or misordered`);
    for (const f of ['devicePassword', 'salt', 'verifier', 'A', 'u', 'key', 'timestamp', 'signature']) {
      if (cv?.[f] !== r[f]) errors.push(`${v.id}: ${f} CIJ ${cv?.[f]} != reference ${r[f]}`);
    }
    for (const f of ['devicePassword', 'salt', 'verifier', 'Salt', 'PasswordVerifier', 'A', 'key', 'timestamp', 'signature']) {
      if (pv?.[f] !== cv?.[f]) errors.push(`${v.id}: ${f} pycognito ${pv?.[f]} != CIJ ${cv?.[f]}`);
    }
    return {
      id: v.id,
      description: `device salt ${v.saltKind}`,
      input: v.input,
      confirmDevice: { devicePassword: cv.devicePassword, salt: cv.salt, verifier: cv.verifier, Salt: cv.Salt, PasswordVerifier: cv.PasswordVerifier },
      deviceSrp: { A: cv.A, B: r.B, SALT: r.salt, u: cv.u, key: cv.key, timestamp: cv.timestamp, signature: cv.signature },
      agreedBy: ['amazon-cognito-identity-js', 'pycognito', 'reference'],
    };
  });
  if (errors.length) {
    process.stderr.write(`gen-devices.mjs merge: ${errors.length} disagreement(s):\n${errors.join('\n')}\n`);
    process.exit(1);
  }
  return {
    provenance: {
      generator: 'tests/vectors/generate.sh (gen-devices.mjs, gen_devices_pycognito.py)',
      sources: { [c.implementation]: c.version, [p.implementation]: p.version },
      seed: inp.seed,
      notes: 'Big integers are minimal lowercase hex except salt/verifier (padHex, as sent in ConfirmDevice). ' +
        'SALT is the DEVICE_PASSWORD_VERIFIER parameter (the padHex salt); B = (k·v + g^b) mod N.',
    },
    vectors,
  };
}

const [mode, ...args] = process.argv.slice(2);
let result;
if (mode === 'inputs') result = inputs();
else if (mode === 'cij') result = cij(args[0]);
else if (mode === 'merge') result = merge(args[0], args[1], args[2]);
else { process.stderr.write('usage: gen-devices.mjs inputs | cij INPUTS | merge INPUTS CIJ PY\n'); process.exit(2); }
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
