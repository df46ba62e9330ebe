#!/usr/bin/env node
// Step 2 of generate.sh: compute A, u, S, key, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE
// with amazon-cognito-identity-js (CIJ) itself, driven with fixed inputs.
//
// Mirrors CognitoUser.authenticateUserDefaultAuth (lib/CognitoUser.js, 6.3.x):
//   serverBValue = new BigInteger(SRP_B, 16); salt = new BigInteger(SALT, 16);
//   helper.getPasswordAuthenticationKey(USER_ID_FOR_SRP, password, serverBValue, salt, cb)
//   dateNow = new DateHelper().getNowString()
//   signature = base64(Sha256-HMAC(hkdf, poolName || userId || b64decode(SECRET_BLOCK) || dateNow))
// SRP_A is aValue.toString(16), as CIJ sends it.
//
// Usage: node gen-cij.mjs inputs.json > cij.json
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
// Resolve every module the way CIJ's own files resolve them.
const cijRequire = createRequire(require.resolve('amazon-cognito-identity-js/lib/CognitoUser.js'));
const AuthenticationHelper = cijRequire('./AuthenticationHelper').default;
const BigInteger = cijRequire('./BigInteger').default;
const DateHelper = cijRequire('./DateHelper').default;
const { Sha256 } = cijRequire('@aws-crypto/sha256-js');
const { Buffer } = cijRequire('buffer');
const cijVersion = require('amazon-cognito-identity-js/package.json').version;
const sha256jsVersion = cijRequire('@aws-crypto/sha256-js/package.json').version;

const inputs = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// ---- fake clock for DateHelper.getNowString()
const RealDate = Date;
let fakeNow = 0;
class FakeDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(fakeNow); else super(...args); }
  static now() { return fakeNow; }
}
function nowStringAt(epochMs) {
  fakeNow = epochMs;
  globalThis.Date = FakeDate;
  try { return new DateHelper().getNowString(); } finally { globalThis.Date = RealDate; }
}

function runVector(v) {
  const inp = v.input;
  const helper = new AuthenticationHelper(inp.poolName);
  // fixed a; recompute A exactly as the constructor does (getLargeAValue -> calculateA)
  helper.smallAValue = new BigInteger(inp.a, 16);
  helper.largeAValue = undefined;
  let aErr = null;
  helper.getLargeAValue((err) => { aErr = err; });
  if (aErr) throw aErr;
  const srpA = helper.largeAValue.toString(16);

  // capture S: wrap calculateS (called synchronously inside getPasswordAuthenticationKey)
  let sValue = null;
  const origCalcS = helper.calculateS.bind(helper);
  helper.calculateS = (x, B, cb) => origCalcS(x, B, (err, s) => { sValue = s; cb(err, s); });

  const serverBValue = new BigInteger(inp.B, 16);
  const salt = new BigInteger(inp.salt, 16);
  let hkdf = null; let hkdfErr = null;
  helper.getPasswordAuthenticationKey(inp.userIdForSrp, inp.password, serverBValue, salt, (err, key) => {
    hkdfErr = err; hkdf = key;
  });
  if (hkdfErr) throw hkdfErr;
  if (!hkdf) throw new Error('getPasswordAuthenticationKey did not call back synchronously');

  const dateNow = nowStringAt(inp.timestampEpochMs);
  const concatBuffer = Buffer.concat([
    Buffer.from(inp.poolName, 'utf8'), Buffer.from(inp.userIdForSrp, 'utf8'),
    Buffer.from(inp.secretBlock, 'base64'), Buffer.from(dateNow, 'utf8')]);
  const awsCryptoHash = new Sha256(hkdf);
  awsCryptoHash.update(concatBuffer);
  const signature = Buffer.from(awsCryptoHash.digestSync()).toString('base64');

  return {
    id: v.id,
    A: srpA,
    u: helper.UValue.toString(16),
    S: sValue.toString(16),
    key: Buffer.from(hkdf).toString('hex'),
    timestamp: dateNow,
    signature,
  };
}

const helper0 = new AuthenticationHelper('x');
const out = {
  implementation: 'amazon-cognito-identity-js',
  version: cijVersion,
  sha256jsVersion,
  constants: { N: helper0.N.toString(16), g: helper0.g.toString(16), k: helper0.k.toString(16) },
  vectors: inputs.vectors.map(runVector),
  timestamps: inputs.timestamps.map((t) => ({ epochMs: t.epochMs, timestamp: nowStringAt(t.epochMs) })),
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
