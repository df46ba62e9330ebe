// Generates webauthn-vectors.json: WebAuthn registrations (attestation objects, format "none"
// and "packed" self-attestation) and assertions, ES256 (P-256) and RS256 (RSA-2048), built by
// hand the way an authenticator and a browser build them, with node's own crypto only. The
// emulator's tests (tests/emulator/src/webauthn.rs) check its CBOR / COSE / authenticator-data
// parsing and signature verification against these bytes: an independent implementation.
//
//   node tests/vectors/webauthn/gen-webauthn.mjs          rewrite webauthn-vectors.json (new keys!)
//   node tests/vectors/webauthn/gen-webauthn.mjs --check  verify the committed file with node crypto
//
// ECDSA signatures are randomised, so a rewrite changes every byte; the committed file is the
// fixture. --check re-verifies every signature and rebuilds every deterministic structure.
import { createHash, generateKeyPairSync, createPublicKey, sign, verify, constants } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'webauthn-vectors.json');
const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:8123';
const USER_SUB = '0b5e7a3c-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const AAGUID = Buffer.from('adce000235bcc60a648b0b25f1f05503', 'hex'); // any 16 bytes

const b64u = (b) => Buffer.from(b).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');
const sha256 = (b) => createHash('sha256').update(b).digest();

// ---- minimal CBOR encoder (definite lengths, shortest heads), independent of the emulator's
function head(major, n) {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = m | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = m | 26; b.writeUInt32BE(n, 1); return b;
}
function cbor(v) {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  throw new Error('cbor: unsupported ' + typeof v);
}

function coseKey(kind, publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  if (kind === 'es256') {
    return { bytes: cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, unb64u(jwk.x)], [-3, unb64u(jwk.y)]])), jwk };
  }
  return { bytes: cbor(new Map([[1, 3], [3, -257], [-1, unb64u(jwk.n)], [-2, unb64u(jwk.e)]])), jwk };
}

function signWith(kind, privateKey, data) {
  return kind === 'es256'
    ? sign('sha256', data, privateKey) // DER-encoded ECDSA, as authenticators send it
    : sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
}

function clientData(type, challenge) {
  // Browsers serialise in this order (WebAuthn §5.8.1.1).
  return Buffer.from(JSON.stringify({ type, challenge: b64u(challenge), origin: ORIGIN, crossOrigin: false }));
}

function authData({ flags, signCount, credentialId, cose }) {
  const parts = [sha256(Buffer.from(RP_ID)), Buffer.from([flags])];
  const c = Buffer.alloc(4); c.writeUInt32BE(signCount); parts.push(c);
  if (credentialId) {
    const len = Buffer.alloc(2); len.writeUInt16BE(credentialId.length);
    parts.push(AAGUID, len, credentialId, cose);
  }
  return Buffer.concat(parts);
}

function makeVector(kind, fmt, regCount, assertCount) {
  const { publicKey, privateKey } = kind === 'es256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const { bytes: cose, jwk } = coseKey(kind, publicKey);
  const credentialId = sha256(Buffer.from(`credential ${kind} ${fmt}`));
  const regChallenge = sha256(Buffer.from(`registration challenge ${kind} ${fmt}`));
  const regClientData = clientData('webauthn.create', regChallenge);
  const regAuthData = authData({ flags: 0x45 /* UP UV AT */, signCount: regCount, credentialId, cose });
  let attStmt = new Map();
  if (fmt === 'packed') {
    const sig = signWith(kind, privateKey, Buffer.concat([regAuthData, sha256(regClientData)]));
    attStmt = new Map([['alg', kind === 'es256' ? -7 : -257], ['sig', sig]]);
  }
  const attestationObject = cbor(new Map([['fmt', fmt], ['attStmt', attStmt], ['authData', regAuthData]]));
  const getChallenge = sha256(Buffer.from(`assertion challenge ${kind} ${fmt}`));
  const getClientData = clientData('webauthn.get', getChallenge);
  const getAuthData = authData({ flags: 0x05 /* UP UV */, signCount: assertCount });
  const signature = signWith(kind, privateKey, Buffer.concat([getAuthData, sha256(getClientData)]));
  return {
    publicKeyJwk: Object.fromEntries(Object.entries(jwk).filter(([k]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(k))),
    credentialId: b64u(credentialId),
    aaguid: AAGUID.toString('hex'),
    coseKey: b64u(cose),
    registration: {
      challenge: b64u(regChallenge),
      clientDataJSON: b64u(regClientData),
      attestationObject: b64u(attestationObject),
      signCount: regCount,
    },
    assertion: {
      challenge: b64u(getChallenge),
      clientDataJSON: b64u(getClientData),
      authenticatorData: b64u(getAuthData),
      signature: b64u(signature),
      userHandle: b64u(Buffer.from(USER_SUB)),
      signCount: assertCount,
    },
  };
}

function check(file) {
  const v = JSON.parse(readFileSync(file, 'utf8'));
  let n = 0;
  for (const [name, x] of Object.entries(v.vectors)) {
    const kind = name.startsWith('es256') ? 'es256' : 'rs256';
    const key = createPublicKey({ key: x.publicKeyJwk, format: 'jwk' });
    if (!coseKey(kind, key).bytes.equals(unb64u(x.coseKey))) throw new Error(`${name}: COSE key differs`);
    const a = x.assertion;
    const data = Buffer.concat([unb64u(a.authenticatorData), sha256(unb64u(a.clientDataJSON))]);
    const opts = kind === 'es256' ? key : { key, padding: constants.RSA_PKCS1_PADDING };
    if (!verify('sha256', data, opts, unb64u(a.signature))) throw new Error(`${name}: assertion signature`);
    const cd = JSON.parse(unb64u(a.clientDataJSON));
    if (cd.challenge !== a.challenge || cd.type !== 'webauthn.get' || cd.origin !== v.origin) throw new Error(`${name}: clientData`);
    const r = x.registration;
    const reg = authData({ flags: 0x45, signCount: r.signCount, credentialId: unb64u(x.credentialId), cose: unb64u(x.coseKey) });
    const att = unb64u(r.attestationObject);
    if (!att.includes(reg)) throw new Error(`${name}: authData inside the attestation object differs`);
    n += 1;
  }
  console.log(`webauthn-vectors.json: ${n} vectors verified with node crypto`);
}

if (process.argv[2] === '--check') {
  check(OUT);
} else {
  const vectors = {
    es256_none: makeVector('es256', 'none', 3, 7),
    es256_packed: makeVector('es256', 'packed', 0, 1),
    rs256_none: makeVector('rs256', 'none', 0, 0),
    rs256_packed: makeVector('rs256', 'packed', 5, 6),
  };
  const out = {
    provenance: {
      generator: 'tests/vectors/webauthn/gen-webauthn.mjs',
      node: process.version,
      note: 'keys and ECDSA nonces are random: regenerating changes every value; the committed file is the fixture',
    },
    rpId: RP_ID,
    origin: ORIGIN,
    userSub: USER_SUB,
    vectors,
  };
  writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n');
  check(OUT);
}
