// Runtime side of the .d.ts check: everything index.d.ts (of the installed tarball) declares as
// a value — exported functions, classes, consts, the default export, and every member of
// `class CognitoAuth` — must exist on the real module (instantiated with initSync under Node),
// and every public method of the real CognitoAuth must be declared. The names are read from the
// .d.ts with regular expressions, so declarations added later are checked without edits here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as mod from 'cognito-wasm';

const dtsPath = fileURLToPath(import.meta.resolve('cognito-wasm/package.json')).replace(/package\.json$/, 'index.d.ts');
// Drop comments first so names in the docs do not count.
const dts = fs.readFileSync(dtsPath, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

const values = new Set();
for (const m of dts.matchAll(/^export\s+(?:declare\s+)?(default\s+)?(?:function|class|const|let|var|enum)\s+([A-Za-z_$][\w$]*)/gm)) {
  values.add(m[1] ? 'default' : m[2]);
}
for (const m of dts.matchAll(/^export\s+default\s+([A-Za-z_$][\w$]*)\s*;/gm)) values.add('default');
assert.ok(values.has('default') && values.has('initSync') && values.has('CognitoAuth'), `parsed value exports: ${[...values]}`);

/** Members of `export class NAME { ... }` (2-space-indented lines at the top level of the body). */
function classMembers(name) {
  const start = dts.search(new RegExp(`^export\\s+(?:declare\\s+)?class\\s+${name}\\b[^{]*\\{`, 'm'));
  assert.ok(start >= 0, `class ${name} not found in index.d.ts`);
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
        const kind = m[3] === ':' ? 'property' : 'method';
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
for (const [name, { kind, isStatic }] of declaredMembers) {
  const owner = isStatic ? mod.CognitoAuth : proto;
  const desc = Object.getOwnPropertyDescriptor(owner, name);
  if (!desc) missing.push(`CognitoAuth${isStatic ? '.' : '#'}${name}`);
  else if (kind === 'method' && typeof desc.value !== 'function') missing.push(`CognitoAuth#${name} (not a method)`);
  else if (kind === 'property' && !desc.get && !('value' in desc)) missing.push(`CognitoAuth#${name} (no getter)`);
}
assert.deepEqual(missing, [], `declared in index.d.ts but missing at runtime: ${missing.join(', ')}`);

// The other direction: public runtime API that index.d.ts does not declare.
const undeclared = [];
for (const name of Object.keys(mod)) if (!values.has(name)) undeclared.push(`export ${name}`);
for (const name of Object.getOwnPropertyNames(proto)) {
  if (name === 'constructor' || name.startsWith('__') || declaredMembers.has(name)) continue;
  undeclared.push(`CognitoAuth#${name}`);
}
assert.deepEqual(undeclared, [], `exported at runtime but not declared in index.d.ts: ${undeclared.join(', ')}`);

console.log(`ok: ${values.size} value exports and ${declaredMembers.size} CognitoAuth members of index.d.ts exist at runtime (${[...declaredMembers.keys()].join(', ')})`);
