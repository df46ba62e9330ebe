// Runtime side of the .d.ts check: everything index.d.ts (of the installed tarball) declares as
// a value — exported functions, classes, consts, the default export, and every member of
// `class CognitoAuth` — must exist on the real module (instantiated with initSync under Node),
// and every public method of the real CognitoAuth must be declared. The names are read from the
// .d.ts with regular expressions, so declarations added later are checked without edits here.
// The same, both ways, for the drop-in module (`cognito-wasm/element`, element.d.ts): its
// exports, and the members of `class CognitoLoginElement` (prototype or instance).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as mod from 'cognito-wasm';

const pkgDir = fileURLToPath(import.meta.resolve('cognito-wasm/package.json')).replace(/package\.json$/, '');
// Drop comments first so names in the docs do not count.
const readDts = (file) => fs.readFileSync(pkgDir + file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
const dts = readDts('index.d.ts');

function valueExports(text) {
  const values = new Set();
  for (const m of text.matchAll(/^export\s+(?:declare\s+)?(default\s+)?(?:function|class|const|let|var|enum)\s+([A-Za-z_$][\w$]*)/gm)) {
    values.add(m[1] ? 'default' : m[2]);
  }
  for (const m of text.matchAll(/^export\s+default\s+([A-Za-z_$][\w$]*)\s*;/gm)) values.add('default');
  return values;
}
const values = valueExports(dts);
assert.ok(values.has('default') && values.has('initSync') && values.has('CognitoAuth'), `parsed value exports: ${[...values]}`);

/** Members of `export class NAME { ... }` (2-space-indented lines at the top level of the body). */
function classMembers(name, text = dts) {
  const dts = text;
  const start = dts.search(new RegExp(`^export\\s+(?:declare\\s+)?class\\s+${name}\\b[^{]*\\{`, 'm'));
  assert.ok(start >= 0, `class ${name} not found`);
  let depth = 0, i = dts.indexOf('{', start), body = '';
  for (; i < dts.length; i++) {
    const c = dts[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) break;
    body += c;
  }
  const members = new Map();
  // Top-level members only: track nesting of (), {}, <>, [] while scanning lines.
  let nest = 0;
  for (const line of body.slice(1).split('\n')) {
    if (nest === 0) {
      const m = line.match(/^\s*(?:(?:public|static|readonly|get|set|async)\s+)*([A-Za-z_$][\w$]*)\s*(\??)\s*([(<:])/);
      if (m && m[1] !== 'constructor') {
        const isStatic = /^\s*static\s/.test(line);
        const kind = m[3] === ':' || /^\s*(?:get|set)\s/.test(line) ? 'property' : 'method';
        members.set(m[1], { kind, isStatic });
      }
    }
    for (const c of line.replace(/=>/g, '')) {
      if ('({[<'.includes(c)) nest++;
      else if (')}]>'.includes(c) && nest > 0) nest--;
    }
  }
  return members;
}

const wasm = fs.readFileSync(fileURLToPath(import.meta.resolve('cognito-wasm/cognito_wasm_bg.wasm')));
mod.initSync({ module: wasm });

const missing = [];
for (const name of values) {
  if (!(name in mod)) missing.push(`export ${name}`);
}
const declaredMembers = classMembers('CognitoAuth');
assert.ok(declaredMembers.size >= 10, `parsed only ${declaredMembers.size} CognitoAuth members`);
const proto = mod.CognitoAuth.prototype;
// The main entry's CognitoAuth extends the core entry's (cognito_wasm_core.js): members are
// looked up along the prototype chain, up to Object.prototype / Function.prototype.
const chain = (o, stop) => { const out = []; for (let p = o; p && p !== stop; p = Object.getPrototypeOf(p)) out.push(p); return out; };
const descriptor = (o, name, stop) => chain(o, stop).map((p) => Object.getOwnPropertyDescriptor(p, name)).find(Boolean);
for (const [name, { kind, isStatic }] of declaredMembers) {
  const desc = isStatic ? descriptor(mod.CognitoAuth, name, Function.prototype) : descriptor(proto, name, Object.prototype);
  if (!desc) missing.push(`CognitoAuth${isStatic ? '.' : '#'}${name}`);
  else if (kind === 'method' && typeof desc.value !== 'function') missing.push(`CognitoAuth#${name} (not a method)`);
  else if (kind === 'property' && !desc.get && !('value' in desc)) missing.push(`CognitoAuth#${name} (no getter)`);
}
assert.deepEqual(missing, [], `declared in index.d.ts but missing at runtime: ${missing.join(', ')}`);

// The other direction: public runtime API that index.d.ts does not declare.
const undeclared = [];
for (const name of Object.keys(mod)) if (!values.has(name)) undeclared.push(`export ${name}`);
for (const name of new Set(chain(proto, Object.prototype).flatMap((p) => Object.getOwnPropertyNames(p)))) {
  if (name === 'constructor' || name.startsWith('__') || declaredMembers.has(name)) continue;
  undeclared.push(`CognitoAuth#${name}`);
}
assert.deepEqual(undeclared, [], `exported at runtime but not declared in index.d.ts: ${undeclared.join(', ')}`);

console.log(`ok: ${values.size} value exports and ${declaredMembers.size} CognitoAuth members of index.d.ts exist at runtime (${[...declaredMembers.keys()].join(', ')})`);

// ---- cognito-wasm/core (core.d.ts): its exports and CognitoAuth members, both ways.
{
  const core = await import('cognito-wasm/core');
  const coreDts = readDts('core.d.ts');
  const coreValues = valueExports(coreDts);
  assert.ok(coreValues.has('default') && coreValues.has('initSync') && coreValues.has('CognitoAuth'), `core.d.ts exports: ${[...coreValues]}`);
  const coreMembers = classMembers('CognitoAuth', coreDts);
  const cp = core.CognitoAuth.prototype;
  const bad = [...coreValues].filter((n) => !(n in core)).map((n) => `export ${n}`);
  for (const [name, { kind }] of coreMembers) {
    const desc = descriptor(cp, name, Object.prototype);
    if (!desc) bad.push(`core CognitoAuth#${name}`);
    else if (kind === 'method' && typeof desc.value !== 'function') bad.push(`core CognitoAuth#${name} (not a method)`);
  }
  // The entry exports what core.d.ts declares and nothing else (the runner's internals stay in
  // cognito_wasm_base.js), and every method of the class must be declared.
  for (const name of Object.keys(core)) if (!coreValues.has(name)) bad.push(`undeclared core export ${name}`);
  for (const name of Object.getOwnPropertyNames(cp)) if (name !== 'constructor' && !coreMembers.has(name)) bad.push(`undeclared core CognitoAuth#${name}`);
  assert.deepEqual(bad, [], `core.d.ts and cognito-wasm/core disagree: ${bad.join(', ')}`);
  assert.ok(!('respondToChallenge' in cp) && !('getAwsCredentials' in cp), 'the core entry has only the session API');
  console.log(`ok: cognito-wasm/core: ${coreValues.size} value exports and ${coreMembers.size} CognitoAuth members (${[...coreMembers.keys()].join(', ')})`);
}

// ---- cognito-wasm/core-hosted (core-hosted.d.ts): the core's class extended with the hosted
// UI's methods; what it adds, both ways, and the core's members along its prototype chain.
{
  const core = await import('cognito-wasm/core');
  const hosted = await import('cognito-wasm/core-hosted');
  const hDts = readDts('core-hosted.d.ts');
  const hValues = valueExports(hDts);
  assert.ok(hValues.has('default') && hValues.has('initSync') && hValues.has('CognitoAuth'), `core-hosted.d.ts exports: ${[...hValues]}`);
  const own = classMembers('CognitoAuth', hDts);
  const all = new Map([...classMembers('CognitoAuth', readDts('core.d.ts')), ...own]);
  const hp = hosted.CognitoAuth.prototype;
  // Each entry is one self-contained file: the classes are not shared, their members are.
  for (const n of Object.getOwnPropertyNames(core.CognitoAuth.prototype)) assert.ok(n in hp && n in mod.CognitoAuth.prototype, `core's ${n} in core-hosted and the main entry`);
  for (const n of Object.getOwnPropertyNames(hp)) assert.ok(n in mod.CognitoAuth.prototype, `core-hosted's ${n} in the main entry`);
  const bad = [...hValues].filter((n) => !(n in hosted)).map((n) => `export ${n}`);
  for (const [name, { kind }] of all) {
    const desc = descriptor(hp, name, Object.prototype);
    if (!desc) bad.push(`core-hosted CognitoAuth#${name}`);
    else if (kind === 'method' && typeof desc.value !== 'function') bad.push(`core-hosted CognitoAuth#${name} (not a method)`);
  }
  for (const name of Object.keys(hosted)) if (!hValues.has(name)) bad.push(`undeclared core-hosted export ${name}`);
  for (const name of Object.getOwnPropertyNames(hp)) if (name !== 'constructor' && !own.has(name)) bad.push(`undeclared core-hosted CognitoAuth#${name}`);
  assert.deepEqual(bad, [], `core-hosted.d.ts and cognito-wasm/core-hosted disagree: ${bad.join(', ')}`);
  for (const n of ['authorizeUrl', 'signInWithRedirect', 'handleRedirectCallback', 'verifyIdToken', 'getUserInfo']) assert.ok(own.has(n), `core-hosted.d.ts declares ${n}`);
  assert.ok(!('respondToChallenge' in hp) && !('getAwsCredentials' in hp), 'the core-hosted entry has only the session API and the hosted UI');
  console.log(`ok: cognito-wasm/core-hosted: ${hValues.size} value exports and ${all.size} CognitoAuth members (${[...own.keys()].join(', ')} on the core's)`);
}

// ---- cognito-wasm/element (element.d.ts). Under Node there is no DOM: the module then defines
// its classes on a plain base class and registers no custom elements, so it imports and its
// classes construct without loading the core.
const el = await import('cognito-wasm/element');
const elDts = readDts('element.d.ts');
const elValues = valueExports(elDts);
for (const n of ['CognitoLoginElement', 'CognitoSignedInElement', 'CognitoSignedOutElement', 'CognitoUserElement', 'CognitoSignOutElement', 'getAccessToken']) {
  assert.ok(elValues.has(n), `element.d.ts declares ${n} (parsed: ${[...elValues]})`);
}
const elMissing = [...elValues].filter((n) => !(n in el)).map((n) => `export ${n}`);
const elUndeclared = Object.keys(el).filter((n) => !elValues.has(n)).map((n) => `export ${n}`);
for (const n of elValues) {
  if (/^[A-Z]/.test(n) && typeof el[n] !== 'function') elMissing.push(`${n} (not a class)`);
}
if (typeof el.getAccessToken !== 'function') elMissing.push('getAccessToken (not a function)');
else assert.equal(await el.getAccessToken(), null, 'getAccessToken() without a <cognito-login> is null');

const loginMembers = classMembers('CognitoLoginElement', elDts);
assert.ok(loginMembers.size >= 5, `parsed only ${loginMembers.size} CognitoLoginElement members`);
const loginProto = el.CognitoLoginElement.prototype;
const instance = new el.CognitoLoginElement();
for (const [name, { kind }] of loginMembers) {
  const desc = Object.getOwnPropertyDescriptor(loginProto, name);
  if (desc) {
    if (kind === 'method' && typeof desc.value !== 'function') elMissing.push(`CognitoLoginElement#${name} (not a method)`);
  } else if (!Object.hasOwn(instance, name)) {
    elMissing.push(`CognitoLoginElement#${name}`);
  }
}
// Public = no leading underscore (the element's DOM plumbing is `_name`) and not a
// custom-element lifecycle callback.
const lifecycle = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'attributeChangedCallback']);
for (const name of [...Object.getOwnPropertyNames(loginProto), ...Object.keys(instance)]) {
  if (name.startsWith('_') || lifecycle.has(name) || loginMembers.has(name)) continue;
  elUndeclared.push(`CognitoLoginElement#${name}`);
}
assert.deepEqual(elMissing, [], `declared in element.d.ts but missing at runtime: ${elMissing.join(', ')}`);
assert.deepEqual(elUndeclared, [], `exported at runtime but not declared in element.d.ts: ${elUndeclared.join(', ')}`);
console.log(`ok: ${elValues.size} value exports and ${loginMembers.size} CognitoLoginElement members of element.d.ts exist at runtime (${[...loginMembers.keys()].join(', ')})`);

// ---- cognito-wasm/server (server.d.ts): its value exports, both ways (under Node it loads
// its own engine, cognito_wasm_server.wasm, on first use).
const sv = await import('cognito-wasm/server');
const svValues = valueExports(readDts('server.d.ts'));
assert.deepEqual([...svValues].sort(), ['createVerifier'], `server.d.ts value exports: ${[...svValues]}`);
assert.deepEqual(Object.keys(sv).sort(), [...svValues].sort(), 'server.js exports exactly what server.d.ts declares');
const verifier = sv.createVerifier({ userPoolId: 'us-east-1_EmuPool01', clientId: 'c', endpoint: 'http://127.0.0.1:9/' });
assert.deepEqual(Object.keys(verifier).sort(), ['verifyAccessToken', 'verifyIdToken']);
assert.equal((await verifier.verifyIdToken('x').catch((e) => e)).code, 'TokenMalformed');
console.log('ok: cognito-wasm/server exports createVerifier, as server.d.ts declares');
