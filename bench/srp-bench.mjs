// SRP client computation, this package vs amazon-cognito-identity-js, in one Node process.
//
// Both libraries run their real sign-in code through their public API against a fake
// `fetch` that answers InitiateAuth with a PASSWORD_VERIFIER challenge (values from
// tests/vectors/srp-vectors.json) and stops the flow at RespondToAuthChallenge. Timings:
//   A        = from the sign-in call until InitiateAuth is sent (random a, A = g^a, JSON)
//   key+sig  = from the challenge reply until RespondToAuthChallenge is sent
//              (u, x, S, HKDF, claim signature)
// Median of RUNS runs each, after WARMUP runs. Usage: node bench/srp-bench.mjs [--json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS || 15);
const WARMUP = Number(process.env.WARMUP ?? 2);
const vec = JSON.parse(fs.readFileSync(path.join(root, 'tests/vectors/srp-vectors.json'), 'utf8')).srpVectors[0];
const POOL = `us-east-1_${vec.poolName}`;
const CLIENT = '7f3kq2m9emulatorclient0001';

let marks = [];
globalThis.fetch = async (url, init) => {
  const target = (init.headers['X-Amz-Target'] || init.headers['x-amz-target'] ||
    (init.headers.get && init.headers.get('X-Amz-Target')) || '').split('.').pop();
  marks.push([target, performance.now()]);
  const json = (status, body) => new Response(JSON.stringify(body), {
    status, headers: { 'content-type': 'application/x-amz-json-1.1' } });
  if (target === 'InitiateAuth') {
    return json(200, { ChallengeName: 'PASSWORD_VERIFIER', Session: 'bench', ChallengeParameters: {
      SALT: vec.salt, SRP_B: vec.B, SECRET_BLOCK: vec.secretBlock,
      USERNAME: vec.userIdForSrp, USER_ID_FOR_SRP: vec.userIdForSrp } });
  }
  return json(400, { __type: 'NotAuthorizedException', message: 'bench stop' });
};

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

async function measure(name, once, before = () => {}) {
  const a = [], k = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    before();
    marks = [];
    const t0 = performance.now();
    await once();
    const init = marks.find(m => m[0] === 'InitiateAuth');
    const resp = marks.find(m => m[0] === 'RespondToAuthChallenge');
    if (!init || !resp) throw new Error(`${name}: flow did not reach RespondToAuthChallenge`);
    if (i >= WARMUP) { a.push(init[1] - t0); k.push(resp[1] - init[1]); }
  }
  const A = median(a), K = median(k);
  return { impl: name, runs: RUNS, A_ms: +A.toFixed(2), key_sig_ms: +K.toFixed(2), total_ms: +(A + K).toFixed(2) };
}

// This package, loaded the way Node users load it.
const pkg = await import(pathToFileURL(path.join(root, 'pkg/cognito_wasm.js')).href);
pkg.initSync({ module: fs.readFileSync(path.join(root, 'pkg/cognito_wasm_bg.wasm')) });
const ours = new pkg.CognitoAuth({ userPoolId: POOL, clientId: CLIENT, storage: 'memory',
  endpoint: 'https://cognito-idp.us-east-1.amazonaws.com/' });
const oursResult = await measure('cognito-wasm (wasm, Node ' + process.version + ')', async () => {
  try { await ours.signIn({ username: vec.userIdForSrp, password: vec.password }); }
  catch (e) { if (e.code !== 'NotAuthorizedException') throw e; }
});

// The same with the ephemeral pair computed before the timed call (prepareSignIn, as an app
// does when it shows the form): the A column is then only request building.
const preparedResult = await measure('cognito-wasm + prepareSignIn()', async () => {
  marks = [];
  try { await ours.signIn({ username: vec.userIdForSrp, password: vec.password }); }
  catch (e) { if (e.code !== 'NotAuthorizedException') throw e; }
}, () => ours.prepareSignIn());

// amazon-cognito-identity-js, through CognitoUser.authenticateUser (USER_SRP_AUTH).
const require = createRequire(import.meta.url);
const cij = require(path.join(root, 'node_modules/amazon-cognito-identity-js'));
const cijVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/amazon-cognito-identity-js/package.json'))).version;
const userPool = new cij.CognitoUserPool({ UserPoolId: POOL, ClientId: CLIENT });
const cijResult = await measure(`amazon-cognito-identity-js ${cijVersion}`, () => new Promise((resolve, reject) => {
  const user = new cij.CognitoUser({ Username: vec.userIdForSrp, Pool: userPool });
  user.authenticateUser(new cij.AuthenticationDetails({ Username: vec.userIdForSrp, Password: vec.password }), {
    onSuccess: () => reject(new Error('unexpected success')),
    onFailure: (e) => (e.code === 'NotAuthorizedException' ? resolve() : reject(e)),
  });
}));

const results = [oursResult, preparedResult, cijResult];
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
else {
  for (const r of results) console.log(`${r.impl.padEnd(44)} A ${String(r.A_ms).padStart(8)} ms   key+sig ${String(r.key_sig_ms).padStart(8)} ms   total ${String(r.total_ms).padStart(8)} ms`);
  console.log(`speed-up: ${(cijResult.total_ms / oursResult.total_ms).toFixed(1)}x; with prepareSignIn: ${(cijResult.total_ms / preparedResult.total_ms).toFixed(1)}x`);
}
