// Package size, measured the same way for every library: the entry a sign-in page needs,
// bundled by esbuild (--bundle --minify --format=esm --platform=browser), raw and gzip -9.
// For cognito-wasm the .wasm file is added (it is fetched next to the JS).
// Usage: node bench/size.mjs [--json] [--no-journey]   (needs pkg/ built by scripts/build-pkg.sh;
// the journey row builds engine-wasm with cargo)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildJourney, buildHostedJourney } from './journey.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bench = path.join(root, 'bench');
if (!fs.existsSync(path.join(bench, 'node_modules/aws-amplify'))) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: bench, stdio: 'inherit' });
}
const esbuild = path.join(root, 'node_modules/.bin/esbuild');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'size-'));

function sizes(buf) {
  return { raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
}
function bundle(name, source, resolveDir, extra = []) {
  const entry = path.join(tmp, `${name}.entry.mjs`);
  const out = path.join(tmp, `${name}.bundle.js`);
  fs.writeFileSync(entry, source);
  execFileSync(esbuild, [entry, '--bundle', '--minify', '--format=esm', '--platform=browser',
    '--log-level=error', '--define:global=globalThis', '--define:process.env.NODE_ENV="production"', `--outfile=${out}`, ...extra],
    { cwd: resolveDir, env: { ...process.env, NODE_PATH: path.join(resolveDir, 'node_modules') } });
  return sizes(fs.readFileSync(out));
}

const results = [];
const pkgDir = path.join(root, 'pkg');
const wasm = sizes(fs.readFileSync(path.join(pkgDir, 'cognito_wasm_bg.wasm')));
const ours = bundle('cognito-wasm', `export { default, CognitoAuth } from ${JSON.stringify(path.join(pkgDir, 'cognito_wasm.js'))};\n`, root);
results.push({ lib: 'cognito-wasm: everything (cognito_wasm_bg.wasm)', js: ours, wasm, total: { raw: ours.raw + wasm.raw, gzip: ours.gzip + wasm.gzip } });
// The package's smaller engines, loaded instead with init(new URL('cognito-wasm/…', import.meta.url)).
for (const [tier, what] of [['signin', 'sign-in with every challenge, sessions, sign-out'], ['hosted', 'the same + hosted UI']]) {
  const f = path.join(pkgDir, `cognito_wasm_${tier}.wasm`);
  if (!fs.existsSync(f)) continue;
  const w = sizes(fs.readFileSync(f));
  results.push({ lib: `cognito-wasm: ${what} (cognito_wasm_${tier}.wasm)`, js: ours, wasm: w, total: { raw: ours.raw + w.raw, gzip: ours.gzip + w.gzip } });
}
// The framework bindings' own bytes (an app adds them to the core above): React / Vue external,
// as they are peer dependencies the app already has.
for (const [sub, peer] of [['react', 'react'], ['vue', 'vue']]) {
  const js = bundle(`binding-${sub}`, `export * from ${JSON.stringify(path.join(pkgDir, `${sub}.js`))};\n`, root, [`--external:${peer}`]);
  results.push({ lib: `cognito-wasm/${sub} (${sub}.js alone, ${peer} external)`, js, total: js });
}

// The journeys, each a real app entry bundled with --splitting from pkg/, plus the engine it
// loads: the sign-in journey (bench/journey/app.mjs on `cognito-wasm/core`: SRP sign-in,
// currentSession() with a refresh, signOut()) and the Amplify-basic journey.
// bench/journey.mjs [--hosted] runs each in Chromium and counts what was fetched (the same files).
if (!process.argv.includes('--no-journey')) {
  const files = buildJourney(path.join(tmp, 'journey'));
  const sum = (k, f) => files.filter(f).reduce((a, x) => a + x[k], 0);
  const isWasm = (x) => x.file.endsWith('.wasm');
  const js = { raw: sum('raw', (x) => !isWasm(x)), gzip: sum('gzip', (x) => !isWasm(x)) };
  const w = { raw: sum('raw', isWasm), gzip: sum('gzip', isWasm) };
  results.push({ lib: 'cognito-wasm sign-in journey: cognito-wasm/core (cognito_wasm_core.js + cognito_wasm_core.wasm, app entry, --splitting)', js, wasm: w, total: { raw: js.raw + w.raw, gzip: js.gzip + w.gzip } });
  // The Amplify-basic journey (the same + a hosted-UI redirect sign-in and callback,
  // bench/journey/hosted.mjs): `cognito-wasm/core-hosted` over cognito_wasm_core_hosted.wasm.
  const hf = buildHostedJourney(path.join(tmp, 'journey-hosted'));
  const hs = (k, f) => hf.filter(f).reduce((a, x) => a + x[k], 0);
  const hjs = { raw: hs('raw', (x) => !isWasm(x)), gzip: hs('gzip', (x) => !isWasm(x)) };
  const hw = { raw: hs('raw', isWasm), gzip: hs('gzip', isWasm) };
  results.push({ lib: 'cognito-wasm Amplify-basic journey: cognito-wasm/core-hosted (cognito_wasm_core_hosted.js + cognito_wasm_core_hosted.wasm, app entry, --splitting)', js: hjs, wasm: hw, total: { raw: hjs.raw + hw.raw, gzip: hjs.gzip + hw.gzip } });
}

// The drop-in element and its language modules, each minified alone (not bundled: element.js
// import()s the core, qr.js and one i18n/<lang>.js at run time, so each is its own download).
function minified(file) {
  const out = path.join(tmp, `min-${path.basename(file)}`);
  execFileSync(esbuild, [file, '--minify', '--format=esm', '--log-level=error', `--outfile=${out}`]);
  return sizes(fs.readFileSync(out));
}
if (fs.existsSync(path.join(pkgDir, 'element.js'))) {
  const el = minified(path.join(pkgDir, 'element.js'));
  results.push({ lib: 'cognito-wasm/element: element.js (English built in; loads the core on connect)', js: el, total: el });
  const qr = minified(path.join(pkgDir, 'qr.js'));
  results.push({ lib: 'cognito-wasm/element: qr.js (TOTP setup screen only)', js: qr, total: qr });
  const dir = path.join(pkgDir, 'i18n');
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((x) => x.endsWith('.js')).sort() : []) {
    const d = minified(path.join(dir, f));
    results.push({ lib: `cognito-wasm/element: i18n/${f} (only when that language is shown)`, js: d, total: d });
  }
}

const cijVersion = JSON.parse(fs.readFileSync(path.join(bench, 'node_modules/amazon-cognito-identity-js/package.json'))).version;
const cij = bundle('cij', `export { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';\n`, bench);
results.push({ lib: `amazon-cognito-identity-js ${cijVersion}`, js: cij, total: cij });

const amplifyVersion = JSON.parse(fs.readFileSync(path.join(bench, 'node_modules/aws-amplify/package.json'))).version;
const amp = bundle('amplify', `export { Amplify } from 'aws-amplify';\nexport { signIn, signOut, fetchAuthSession, getCurrentUser } from 'aws-amplify/auth';\n`, bench);
results.push({ lib: `aws-amplify ${amplifyVersion} (auth: signIn, signOut, fetchAuthSession, getCurrentUser)`, js: amp, total: amp });
const ampBasic = bundle('amplify-basic', `export { Amplify } from 'aws-amplify';\nexport { signIn, signInWithRedirect, fetchAuthSession, signOut } from 'aws-amplify/auth';\n`, bench);
results.push({ lib: `aws-amplify ${amplifyVersion} (Amplify + signIn, signInWithRedirect, fetchAuthSession, signOut)`, js: ampBasic, total: ampBasic });
const ampAll = bundle('amplify-auth', `export { Amplify } from 'aws-amplify';\nexport * from 'aws-amplify/auth';\n`, bench);
results.push({ lib: `aws-amplify ${amplifyVersion} (Amplify + the whole aws-amplify/auth)`, js: ampAll, total: ampAll });

fs.rmSync(tmp, { recursive: true, force: true });
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 1));
else {
  const kb = (n) => (n / 1024).toFixed(1).padStart(6) + ' KB';
  console.log('library'.padEnd(80), 'raw'.padStart(9), 'gzip -9'.padStart(9));
  for (const r of results) {
    if (r.wasm) {
      console.log(`  ${r.lib} .wasm`.padEnd(80), kb(r.wasm.raw), kb(r.wasm.gzip));
      console.log(`  ${r.lib} JS (esbuild --minify)`.padEnd(80), kb(r.js.raw), kb(r.js.gzip));
    }
    console.log(`${r.lib} total`.padEnd(80), kb(r.total.raw), kb(r.total.gzip));
  }
}
