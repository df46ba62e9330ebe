// Renders an app's SSR build (tests/spa/<app>/dist-ssr/entry-server.js, made by run.sh) once in
// Node and prints JSON { html, touched }: `touched` lists every access to a browser global
// (window, document, location, localStorage, …) whose caller is the app's bundle or the
// installed cognito-wasm, and every call that would load wasm (WebAssembly.*, fetch).
// Run by signin.test.mjs in a child process, so the traps stay out of the test runner.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const app = path.resolve(process.argv[2]);
const touched = [];
/** The first stack frame outside this file, if it is the app's bundle or cognito-wasm. */
function ours() {
  const frames = new Error().stack.split('\n').slice(1).filter((l) => !l.includes(import.meta.url));
  const top = frames[0] ?? '';
  return top.includes('/dist-ssr/') || top.includes('/cognito-wasm/') ? top.trim() : null;
}
for (const name of ['window', 'document', 'location', 'navigator', 'localStorage', 'sessionStorage', 'BroadcastChannel', 'history']) {
  const had = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() { const at = ours(); if (at) touched.push(`${name} ${at}`); return had?.get ? had.get.call(globalThis) : had?.value; },
  });
}
for (const name of ['instantiate', 'instantiateStreaming', 'compile', 'compileStreaming', 'Module', 'Instance']) {
  const real = WebAssembly[name];
  WebAssembly[name] = new Proxy(real, {
    apply(t, self, args) { touched.push(`WebAssembly.${name}`); return Reflect.apply(t, self, args); },
    construct(t, args) { touched.push(`new WebAssembly.${name}`); return Reflect.construct(t, args); },
  });
}
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => { touched.push(`fetch ${args[0]}`); return realFetch(...args); };

const { render } = await import(pathToFileURL(path.join(app, 'dist-ssr', 'entry-server.js')).href);
const html = await render();
// Let any deferred work (a stray effect, microtask or timer) run before reporting.
await new Promise((r) => setTimeout(r, 50));
process.stdout.write(JSON.stringify({ html, touched }));
