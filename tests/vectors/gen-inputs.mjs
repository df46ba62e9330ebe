#!/usr/bin/env node
// Step 1 of generate.sh: deterministic inputs + an independent reference computation.
//
// Everything "random" comes from a SHA-256 counter-mode stream seeded with a fixed
// string, so running this twice yields byte-identical output. The reference
// computation (server side: x, v, B, server S; client side per
// /work/shared/docs/cognito-protocol.md: u, client S, key, signature) uses only plain
// JS BigInt and node:crypto -- no code from amazon-cognito-identity-js or pycognito.
//
// Usage: node gen-inputs.mjs > inputs.json
import { createHash, createHmac } from 'node:crypto';

const SEED = 'cognito-wasm srp vectors v1';

// ---------------------------------------------------------------- PRNG
let ctr = 0;
let pool = Buffer.alloc(0);
function randBytes(n) {
  while (pool.length < n) {
    const blk = createHash('sha256').update(`${SEED}/${ctr++}`).digest();
    pool = Buffer.concat([pool, blk]);
  }
  const out = pool.subarray(0, n);
  pool = pool.subarray(n);
  return Buffer.from(out);
}
function randInt(n) { // uniform-ish in [0, n), n < 2^32
  return randBytes(4).readUInt32BE(0) % n;
}
function pick(arr) { return arr[randInt(arr.length)]; }
function randBig(bytes) { return BigInt('0x' + randBytes(bytes).toString('hex')); }

// ---------------------------------------------------------------- SRP math
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

const mod = (a, m) => ((a % m) + m) % m;
function modPow(base, e, m) {
  let r = 1n; let b = mod(base, m);
  while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; }
  return r;
}
const hex = (n) => n.toString(16);               // minimal lowercase hex
function padHex(n) {                              // Java BigInteger.toByteArray() as hex
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  else if (/^[89a-f]/.test(h)) h = '00' + h;
  return h;
}
const sha256 = (buf) => createHash('sha256').update(buf).digest();
const H = (hexStr) => sha256(Buffer.from(hexStr, 'hex'));
const big = (buf) => BigInt('0x' + buf.toString('hex'));

const k = big(H(padHex(N) + padHex(g)));

// class of a value as padHex sees it: 'pad00' (even length, MSB set -> "00" prepended),
// 'pad0' (odd length -> "0" prepended), 'none' (hashed as is)
function padClass(n) {
  const h = n.toString(16);
  if (h.length % 2) return 'pad0';
  return /^[89a-f]/.test(h) ? 'pad00' : 'none';
}
// "short": the value needs fewer bytes than its natural width (leading 00 byte dropped)
const isShort = (n, bits) => n < (1n << BigInt(bits - 8));

function computeX(poolName, userId, password, saltHex) {
  const inner = sha256(Buffer.from(`${poolName}${userId}:${password}`, 'utf8')).toString('hex');
  return big(H(padHex(BigInt('0x' + saltHex)) + inner));   // SALT parsed as a number, re-padded
}
// pycognito's pad_hex applied to the SALT string as given (to predict the disagreement)
function pycognitoPadHexStr(s) {
  if (s.length % 2 === 1) return '0' + s;
  if (/^[89a-f]/i.test(s)) return '00' + s;
  return s;
}

function hkdf16(ikm, salt) {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest().subarray(0, 16);
}

const WEEK = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');
function cognitoTimestamp(ms) {
  const d = new Date(ms);
  return `${WEEK[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${d.getUTCDate()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

// ---------------------------------------------------------------- input pools
function uuidV4() {
  const b = randBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const POOLS = ['EmuPool01', 'EmuPool02', 'AbCdEfGhI', 'x1Y2z3W4v', 'Zq9RtU0pL'];
const PLAIN_USERS = ['alice', 'bob.smith', 'Carol_99', 'dave-the-tester', 'e', 'frank+cognito@example.com'];
const UNICODE_USER = 'Désirée.Ünïcødé';
const PASSWORDS = ['Passw0rd!', 'correct horse battery staple', 'Tr0ub4dor&3', 'a:b:c:d',
  'P@$$w0rd with trailing space ', 'ZZZZzzzz99!!'];
const UNICODE_PASSWORD = 'pässwörd-密码-🔑';
const LONG_PASSWORD = 'L0ng!' + 'abcdefghij'.repeat(25);

function saltOf(kind) {
  const rnd = (n) => randBytes(n).toString('hex');
  switch (kind) {
    case 'rand16': return rnd(16);
    case 'msb16': { const b = randBytes(16); b[0] |= 0x80; return b.toString('hex'); }
    case 'lowbyte16': { const b = randBytes(16); b[0] = (b[0] & 0x7f) | 0x10; return b.toString('hex'); }
    case 'lead0nibble': { const b = randBytes(16); b[0] = (b[0] & 0x0f) | 0x01; return b.toString('hex'); }
    case 'lead00-lt80': { const b = randBytes(16); b[0] = 0; b[1] = (b[1] & 0x7f) | 0x01; return b.toString('hex'); }
    case 'lead00-ge80': { const b = randBytes(16); b[0] = 0; b[1] |= 0x80; return b.toString('hex'); }
    case 'lead0000': { const b = randBytes(16); b[0] = 0; b[1] = 0; b[2] |= 0x01; return b.toString('hex'); }
    case 'odd31': { const h = rnd(16).slice(1); return h[0] === '0' ? '1' + h.slice(1) : h; }
    case 'odd31-msb': return 'c' + rnd(16).slice(2);
    case 'odd-lead00': return '00' + '5' + rnd(15).slice(2);          // 31 chars: "00" + 29 more
    case 'upper16': { const b = randBytes(16); b[0] |= 0xa0; return b.toString('hex').toUpperCase(); }
    case 'short1': return '7';
    case 'short2': return 'ab';
    case 'short3': return 'abc';
    case 'short80': return '80';
    case 'short7f': return '7f';
    case 'long64': return rnd(64);
    default: throw new Error('salt kind ' + kind);
  }
}

// ---------------------------------------------------------------- vector specs
// aKind: number (tiny a), 'a256', 'a1024'. Targets: padClass wanted for A, B, u, S,
// or 'short' (leading zero byte dropped) for A/B/u/S.
const specs = [];
const CLS = ['pad00', 'none', 'pad0'];
// 1. A x B padClass matrix, with 1024-bit a (as CIJ draws) and 256-bit a; u and S cycled.
for (const aKind of ['a1024', 'a256']) {
  let i = 0;
  for (const A of CLS) for (const B of CLS) {
    specs.push({ aKind, A, B, u: CLS[i % 3], S: CLS[(i + 1 + Math.floor(i / 3)) % 3], note: `padHex matrix (${aKind})` });
    i++;
  }
}
// 2. tiny a (A = 2^a is short; exercises padHex on short values)
for (const a of [1, 2, 3, 4, 7, 0x80, 0x83, 0xff, 0x3ff]) specs.push({ aKind: a, note: `tiny a = ${a}` });
// 3. leading zero bytes dropped by padHex (values below 2^(bits-8))
specs.push({ aKind: 'a1024', A: 'short', note: 'A has a leading zero byte (short A)' });
specs.push({ aKind: 'a1024', B: 'short', note: 'B has a leading zero byte (short B)' });
specs.push({ aKind: 'a1024', u: 'short', note: 'u hash starts with 00 (padHex(u) is 31 bytes or less)' });
specs.push({ aKind: 'a256', S: 'short', note: 'S has a leading zero byte (short S)' });
// 4. salts
for (const salt of ['rand16', 'msb16', 'lowbyte16', 'lead0nibble', 'lead00-lt80', 'lead00-lt80', 'lead00-ge80',
  'lead0000', 'odd31', 'odd31-msb', 'odd-lead00', 'upper16', 'short1', 'short2', 'short3', 'short80', 'short7f', 'long64']) {
  specs.push({ aKind: 'a1024', salt, note: `salt kind ${salt}` });
}
// 5. user ids and passwords
specs.push({ aKind: 'a1024', password: UNICODE_PASSWORD, note: 'Unicode password' });
specs.push({ aKind: 'a256', password: UNICODE_PASSWORD, user: 'uuid', note: 'Unicode password, UUID user id' });
specs.push({ aKind: 'a1024', user: UNICODE_USER, note: 'Unicode USER_ID_FOR_SRP' });
specs.push({ aKind: 'a1024', password: LONG_PASSWORD, note: 'long password' });
for (let i = 0; i < 4; i++) specs.push({ aKind: 'a1024', user: 'uuid', note: 'UUID user id (sign-in by email alias)' });
for (const u of PLAIN_USERS) specs.push({ aKind: 'a1024', user: u, note: 'plain user name' });
// 6. secret block sizes (Cognito's are ~1-2 KB of base64)
for (const sb of [16, 512, 1100, 1536]) specs.push({ aKind: 'a1024', sbBytes: sb, note: `secret block of ${sb} bytes` });
// 7. 1024-bit b on the server side
specs.push({ aKind: 'a1024', bBits: 1024, note: '1024-bit server b' });
// 8. timestamps with single / double digit days, hours, minutes, seconds
for (let d = 1; d <= 31; d += 6) specs.push({ aKind: 'a1024', day: d, note: `timestamp on day ${d}` });
// 9. more ordinary vectors
for (let i = 0; i < 6; i++) specs.push({ aKind: i % 2 ? 'a256' : 'a1024', note: 'ordinary' });

// ---------------------------------------------------------------- build vectors
function classOk(target, n, bits) {
  if (!target) return true;
  if (target === 'short') return isShort(n, bits);
  return padClass(n) === target && !isShort(n, bits);
}

function randomEpochMs(day) {
  // 2020-01-01 .. 2035-12-31, optionally forcing the day of month
  const year = 2020 + randInt(16);
  const month = randInt(12);
  const dim = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const d = day ? Math.min(day, dim) : 1 + randInt(dim);
  // bias toward single-digit hours/minutes/seconds half of the time
  const hh = randInt(2) ? randInt(10) : randInt(24);
  const mm = randInt(2) ? randInt(10) : randInt(60);
  const ss = randInt(2) ? randInt(10) : randInt(60);
  const ms = randInt(1000);
  return Date.UTC(year, month, d, hh, mm, ss, ms);
}

const vectors = [];
specs.forEach((sp, idx) => {
  const poolName = sp.pool || POOLS[idx % POOLS.length];
  let userIdForSrp = sp.user || pick(PLAIN_USERS);
  if (userIdForSrp === 'uuid') userIdForSrp = uuidV4();
  const password = sp.password || pick(PASSWORDS);
  const salt = saltOf(sp.salt || 'rand16');
  const secretBlock = randBytes(sp.sbBytes || (1000 + randInt(300))).toString('base64');
  const timestampEpochMs = randomEpochMs(sp.day || (idx % 2 ? 1 + randInt(9) : 10 + randInt(19)));

  // client a
  let a; let A;
  if (typeof sp.aKind === 'number') { a = BigInt(sp.aKind); A = modPow(g, a, N); }
  else {
    const bytes = sp.aKind === 'a1024' ? 128 : 32;
    a = randBig(bytes);
    if (a < 2n) a = 2n;
    A = modPow(g, a, N);
    const limit = (1n << BigInt(bytes * 8)) - 1n;
    let tries = 0;
    while (!classOk(sp.A, A, 3072) || A === 0n) {      // a+1 -> A*2: cheap search
      a += 1n; A = (A * 2n) % N;
      if (a > limit || ++tries > 100000) throw new Error('A search failed');
    }
  }
  if (A % N === 0n) throw new Error('A = 0');

  // server: verifier, b, B
  const x = computeX(poolName, userIdForSrp, password, salt);
  const v = modPow(g, x, N);
  const kv = (k * v) % N;
  const bBits = sp.bBits || 256;
  let b = randBig(bBits / 8); if (b < 2n) b = 2n;
  let gb = modPow(g, b, N);
  let B; let u; let S;
  for (let tries = 0; ; tries++) {
    if (tries > 200000) throw new Error('B/u/S search failed for ' + idx);
    B = (kv + gb) % N;
    u = big(H(padHex(A) + padHex(B)));
    if (B !== 0n && u !== 0n && classOk(sp.B, B, 3072) && classOk(sp.u, u, 256)) {
      S = modPow((A * modPow(v, u, N)) % N, b, N);        // server S = (A * v^u)^b
      if (classOk(sp.S, S, 3072)) break;
    }
    b += 1n; gb = (gb * 2n) % N;
  }

  // client per the doc: S = (B - k*g^x)^(a + u*x) mod N
  const Sclient = modPow(mod(B - k * modPow(g, x, N), N), a + u * x, N);
  if (Sclient !== S) throw new Error(`reference client S != server S in vector ${idx}`);
  const key = hkdf16(Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'));
  const timestamp = cognitoTimestamp(timestampEpochMs);
  const signature = createHmac('sha256', key).update(Buffer.concat([
    Buffer.from(poolName, 'utf8'), Buffer.from(userIdForSrp, 'utf8'),
    Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp, 'utf8')])).digest('base64');

  const cls = (n, bits) => (isShort(n, bits) ? 'short-' : '') + padClass(n);
  const features = [
    `A:${cls(A, 3072)}`, `B:${cls(B, 3072)}`, `u:${cls(u, 256)}`, `S:${cls(S, 3072)}`,
    `a:${a.toString(2).length}bit`, `day:${new Date(timestampEpochMs).getUTCDate() < 10 ? '1digit' : '2digit'}`,
  ];
  const pySaltDiffers = pycognitoPadHexStr(salt).toLowerCase() !== padHex(BigInt('0x' + salt));
  if (pySaltDiffers) features.push('salt:redundant-leading-zero');
  vectors.push({
    id: `srp-${String(idx + 1).padStart(3, '0')}`,
    description: sp.note,
    features,
    expectPycognitoDiffers: pySaltDiffers,
    input: { poolName, userIdForSrp, password, a: hex(a), salt, secretBlock, timestampEpochMs, B: hex(B) },
    server: { b: hex(b), x: hex(x), v: hex(v) },
    reference: { A: hex(A), u: hex(u), S: hex(S), key: key.toString('hex'), timestamp, signature },
  });
});

// ---------------------------------------------------------------- timestamps
const timestamps = [];
for (let day = 1; day <= 31; day++) {
  let ms;
  do { ms = randomEpochMs(day); } while (new Date(ms).getUTCDate() !== day);
  timestamps.push(ms);
}
// edge cases: last millisecond of a year, leap day, epoch, far future, all-zero time
timestamps.push(Date.UTC(2024, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 0, 0, 0, 0),
  0, Date.UTC(2099, 0, 1, 9, 5, 3, 500), Date.UTC(2038, 0, 19, 3, 14, 8, 0),
  Date.UTC(2001, 8, 9, 1, 46, 40, 0), Date.UTC(2024, 0, 2, 3, 4, 5, 0));
const timestampInputs = timestamps.map((epochMs) => ({ epochMs, reference: cognitoTimestamp(epochMs) }));

// ---------------------------------------------------------------- secret hash inputs
const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randStr = (n, chars = alnum) => Array.from({ length: n }, () => chars[randInt(chars.length)]).join('');
const shUsers = ['alice', 'bob.smith', 'Carol_99', 'frank+cognito@example.com', uuidV4(), uuidV4(),
  UNICODE_USER, 'ユーザー名', 'x', 'user with spaces', 'UPPERCASE_USER', 'emoji🔑user'];
const secretHashInputs = shUsers.map((username) => ({
  username, clientId: randStr(26), clientSecret: randStr(51),
}));

process.stdout.write(JSON.stringify({
  seed: SEED,
  constants: { N: hex(N), g: hex(g), k: hex(k) },
  vectors,
  timestamps: timestampInputs,
  secretHash: secretHashInputs,
}, null, 2) + '\n');
