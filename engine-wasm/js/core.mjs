// @ts-check
// The runner's core (bundled into each entry; shipped alone as cognito_wasm_base.js for
// server.js): executes the engine's effects with Web APIs and forwards API calls to it, and
// holds the session API's class. Every entry builds on
// it: `cognito-wasm/core` (core-entry.mjs), `cognito-wasm/core-hosted` (hosted.mjs +
// hosted-entry.mjs) and the main entry (runner.mjs). It names no .wasm file itself: each entry
// names its own engine in its `init()`, so a bundler that emits the files a module names
// (`new URL('…', import.meta…)`) emits only the entry's engine.
// It holds no policy: every decision (when to refresh, who refreshes, retries, what is
// stored where, which revocation sign-out uses, what an input must look like) is made by the
// Rust engine, which this module reaches through a synchronous, raw wasm boundary (no
// wasm-bindgen glue). Wire format: engine-wasm/src/wire.rs.

// The wire's separators (unit, record) and its missing value; built from their codes so that no
// bundler writes them into a file as raw control characters.
export const US = String.fromCharCode(0x1f), RS = String.fromCharCode(0x1e), NUL = String.fromCharCode(0);
export const enc = new TextEncoder(), dec = new TextDecoder();

/** `ex` for the full module (the engine's exports, once loaded). */
export const engine = () => ex;

/** @type {any} */ let ex;

/** @param {any} m */
const unwrap = (m) => (m && typeof m === 'object' && 'module_or_path' in m ? m.module_or_path : m && typeof m === 'object' && 'module' in m ? m.module : m);

/**
 * Loads an engine (once per page): a URL, a Response, bytes or a compiled WebAssembly.Module.
 * @param {any} input
 */
export async function load(input) {
  if (ex) return ex;
  let src = await unwrap(input);
  if (src instanceof WebAssembly.Module) return initSync(src);
  if (typeof src === 'string' || src instanceof URL) src = fetch(src);
  if (src instanceof Response || src instanceof Promise) {
    const r = await src;
    const i = await (r.headers.get('content-type')?.startsWith('application/wasm')
      ? WebAssembly.instantiateStreaming(r, {}) : r.arrayBuffer().then((/** @type {ArrayBuffer} */ b) => WebAssembly.instantiate(b, {})));
    ex = i.instance.exports;
  } else ex = (await WebAssembly.instantiate(src, {})).instance.exports;
  return ex;
}

/** Instantiates synchronously from bytes or a compiled module. @param {any} m */
export function initSync(m) {
  if (ex) return ex;
  const src = unwrap(m);
  const mod = src instanceof WebAssembly.Module ? src : new WebAssembly.Module(src);
  ex = new WebAssembly.Instance(mod, {}).exports;
  return ex;
}

/** Writes 64 random bytes and `text` into the engine's buffer, runs `fn`, returns its output. */
export function call(/** @type {string} */ fn, /** @type {string} */ text, /** @type {number[]} */ ...args) {
  const bytes = enc.encode(text), n = 64 + bytes.length;
  const at = ex.buf(n); // may grow the memory: take `buffer` after it
  const mem = new Uint8Array(ex.memory.buffer, at, n);
  crypto.getRandomValues(mem.subarray(0, 64));
  mem.set(bytes, 64);
  const len = ex[fn](...args);
  return dec.decode(new Uint8Array(ex.memory.buffer, ex.out_ptr(), len));
}

const opt = (/** @type {string} */ v) => (v === NUL ? null : v);

/** @param {string[]} f @param {number} i */
function session(f, i) {
  return {
    username: f[i], idToken: f[i + 1], accessToken: f[i + 2], refreshToken: opt(f[i + 3]),
    expiresAt: +f[i + 4], clockDrift: +f[i + 5],
    idTokenClaims: JSON.parse(f[i + 6]), accessTokenClaims: JSON.parse(f[i + 7]),
  };
}

/** @param {string[]} f @param {number} i */
export function error(f, i) {
  const e = /** @type {Error & {code: string, status?: number, retryable: boolean}} */ (new Error(opt(f[i + 3]) ?? f[i]));
  e.name = e.code = f[i];
  if (f[i + 1] !== NUL) e.status = +f[i + 1];
  e.retryable = f[i + 2] === '1';
  return e;
}

/** A JSON result's `{"$error": [code, status, retryable, message]}` (an error inside a result, e.g. `autoSignInError`) becomes an Error. @param {string} _k @param {any} v */
const revive = (_k, v) => (v && typeof v === 'object' && Array.isArray(v.$error) && Object.keys(v).length === 1 ? error(v.$error, 0) : v);

/** @param {Storage} s */
function probed(s) { s.setItem('cognito-wasm.probe', '1'); s.removeItem('cognito-wasm.probe'); return s; }

/** Opens storage by kind, probing it; null when it is unusable. */
function openStorage(/** @type {string} */ kind, /** @type {any} */ custom, /** @type {string} */ attrs) {
  try {
    if (kind === 'custom') return custom;
    if (kind === 'cookie') {
      const get = (/** @type {string} */ k) => {
        const n = encodeURIComponent(k) + '=';
        const c = document.cookie.split('; ').find((p) => p.startsWith(n));
        return c ? decodeURIComponent(c.slice(n.length)) : null;
      };
      const s = {
        getItem: get,
        setItem(/** @type {string} */ k, /** @type {string} */ v) {
          document.cookie = encodeURIComponent(k) + '=' + encodeURIComponent(v) + attrs;
          if (get(k) !== v) throw new Error('cookie not stored');
        },
        removeItem(/** @type {string} */ k) { document.cookie = encodeURIComponent(k) + '=' + attrs + '; Max-Age=0'; },
      };
      s.setItem('cognito-wasm.probe', '1'); s.removeItem('cognito-wasm.probe');
      return s;
    }
    return probed(kind === 'session' ? sessionStorage : localStorage);
  } catch { return null; }
}

/**
 * This tab's own storage: sessionStorage where it can be read (a write that throws later is
 * the engine's to handle: it keeps the tab's state in memory from then on), else a Map.
 */
function tabStorage() {
  try { sessionStorage.getItem('cognito-wasm.probe'); return sessionStorage; } catch {
    const m = new Map();
    return { getItem: (/** @type {string} */ k) => m.get(k) ?? null, setItem: (/** @type {string} */ k, /** @type {string} */ v) => void m.set(k, v), removeItem: (/** @type {string} */ k) => void m.delete(k) };
  }
}

/**
 * Executors of effects beyond the core's (`W` WebAuthn, `V` RS256), registered by the full
 * module; an engine that emits them has that module loaded with it.
 * @type {Record<string, (r: Runner, id: number, f: string[]) => void>}
 */
export const executors = {};

/** Runs one client's effects (exported for the full facade, not part of the API). */
export class Runner {
  /** @param {Record<string, any>} config */
  constructor(config) {
    if (!ex) throw new Error('call init() first');
    const custom = config && typeof config.storage === 'object' && config.storage !== null ? config.storage : null;
    // The user agent names a device Cognito starts tracking (ConfirmDevice's DeviceName).
    const env = { userAgent: globalThis.navigator?.userAgent };
    const k = call('configure', JSON.stringify(config && typeof config === 'object' && !Array.isArray(config) ? { ...config, ...env, ...(custom ? { storage: 'custom' } : {}) } : config ?? null)).split(US);
    if (k[0] === 'E') throw error(k, 1);
    /** @type {Map<number, [(v: any) => void, (e: any) => void]>} */ this.calls = new Map();
    /** @type {Map<number, any>} */ this.timers = new Map();
    /** @type {Map<number, () => void>} */ this.locks = new Map();
    /** @type {Set<(e: any) => void>} */ this.listeners = new Set();
    this.next = 1;
    this.handle = +k[4];
    this.chain = Promise.resolve();
    this.tabChain = Promise.resolve();
    this.kind = k[1];
    this.store = k[1] === 'memory' ? null : openStorage(k[1], custom, k[2]);
    /** @type {any} */ this.tab = null;
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(k[3]) : null;
    if (this.channel) this.channel.onmessage = (m) => this.feed('n' + m.data);
    // Node (tests, SSR) keeps a process alive while a channel listens: let it exit.
    /** @type {any} */ (this.channel)?.unref?.();
    this.onVisibility = () => this.feed('v' + (document.hidden ? 1 : 0));
    if (typeof document === 'object') document.addEventListener('visibilitychange', this.onVisibility);
    const ok = k[1] === 'memory' || this.store !== null;
    if (!ok) this.kind = 'memory';
    // Deferred, so listeners added right after the constructor hear the first events.
    queueMicrotask(() => {
      if (this.handle < 0) return;
      this.run(call('start', '', this.handle, ok ? 1 : 0, Date.now()));
      if (typeof document === 'object' && document.hidden) this.feed('v1');
    });
  }

  /** @param {string} text */
  feed(text) { if (this.handle >= 0) this.run(call('input', text, this.handle, Date.now())); }

  /** @param {string} op @returns {Promise<any>} */
  api(op) {
    const id = this.next++;
    return new Promise((res, rej) => { this.calls.set(id, [res, rej]); this.feed('c' + id + US + op); });
  }

  /** An operation of the engine's `ops` by name, with the app's argument. @param {string} name @param {any} [input] */
  op(name, input) { return this.api('P' + US + name + US + (input === undefined ? '' : JSON.stringify(input))); }

  /** The same for a synchronous method: the engine completes it within the call. @param {string} name @param {any} [input] */
  opSync(name, input) {
    const id = this.next++;
    /** @type {{ok: boolean, v: any}[]} */ const r = [];
    this.calls.set(id, [(v) => { r.push({ ok: true, v }); }, (v) => { r.push({ ok: false, v }); }]);
    this.feed('c' + id + US + 'P' + US + name + US + (input === undefined ? '' : JSON.stringify(input)));
    this.calls.delete(id);
    if (!r.length) throw new Error('the engine did not answer ' + name);
    if (!r[0].ok) throw r[0].v;
    return r[0].v;
  }

  /** Releases this client: its engine state, timers, locks and listeners. */
  free() {
    if (this.handle < 0) return;
    ex.free(this.handle);
    this.handle = -1;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const u of this.locks.values()) u();
    this.timers.clear(); this.locks.clear(); this.listeners.clear();
    this.channel?.close();
    if (typeof document === 'object') document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Executes the engine's effects, in order. @param {string} out */
  run(out) {
    if (!out) return;
    for (const r of out.split(RS)) {
      const f = r.split(US), id = +f[1];
      switch (f[0]) {
        case 'H': this.http(id, f); break;
        case 'D': { // logLevel 'debug': names the H right after it
          const t = Date.now();
          this.log = (/** @type {number} */ s) => console.debug(`[cognito-wasm] ${f[2]} ${s} ${Date.now() - t}ms retries=${f[3]}`);
          break;
        }
        case 'S': this.chain = this.storage(this.chain, this.store, id, f); break;
        case 'P': this.tabChain = this.storage(this.tabChain, this.tab ??= tabStorage(), id, f); break;
        case 'T': this.timers.set(id, setTimeout(() => { this.timers.delete(id); this.feed('t' + id); }, Math.max(0, +f[2] - Date.now()))); break;
        case 'X': clearTimeout(this.timers.get(id)); this.timers.delete(id); break;
        case 'L':
          if (globalThis.navigator?.locks) {
            navigator.locks.request(f[2], () => new Promise((release) => { this.locks.set(id, () => release(undefined)); this.feed('l' + id + US + 1); })).catch(() => {});
          } else queueMicrotask(() => this.feed('l' + id + US + 0));
          break;
        case 'U': this.locks.get(id)?.(); this.locks.delete(id); break;
        case 'B': this.channel?.postMessage(f[1]); break;
        case 'N': location.assign(f[1]); break;
        case 'R': history.replaceState(history.state, '', f[1]); break;
        case 'E': {
          /** @type {any} */ const ev = { type: f[1] };
          if (f[1] === 'storageFallback') this.kind = 'memory';
          if (f.length >= 10) ev.session = session(f, 2);
          if (f.length === 6 || f.length === 14) ev.error = error(f, f.length - 4);
          for (const l of [...this.listeners]) try { l(ev); } catch { /* a listener's throw stops nothing */ }
          break;
        }
        case 'C': this.complete(id, f); break;
        default: executors[f[0]]?.(this, id, f);
      }
    }
  }

  /** @param {number} id @param {string[]} f */
  complete(id, f) {
    const p = this.calls.get(id);
    if (!p) return;
    this.calls.delete(id);
    const [res, rej] = p;
    switch (f[2]) {
      case 's': return res(session(f, 3));
      case 'n': return res(null);
      case 'i': return res(f.length > 11 ? { type: 'signedIn', session: session(f, 3), state: opt(f[11]) } : { type: 'signedIn', session: session(f, 3) });
      case 'h': return res({ type: 'challenge', name: f[3] });
      case 'o': return res({ revoked: f[3] === '1', error: f.length > 4 ? error(f, 4) : null });
      case 'j': return res(JSON.parse(f[3], revive));
      case 'u': return res(undefined);
      default: return rej(error(f, 3));
    }
  }

  /** @param {number} id @param {string[]} f */
  http(id, f) {
    /** @type {Record<string, string>} */ const headers = {};
    // H id method url timeoutMs body (name value)*
    for (let i = 6; i + 1 < f.length; i += 2) headers[f[i]] = f[i + 1];
    const get = f[2] === 'GET', log = this.log;
    this.log = undefined;
    fetch(f[3], { method: f[2], headers, body: get ? undefined : f[5], credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(+f[4]) })
      .then(async (r) => { log?.(r.status); this.feed('h' + id + US + r.status + US + (r.headers.get('x-amzn-errortype') ?? NUL) + US + (Date.parse(r.headers.get('date') ?? '') / 1e3 || NUL) + US + (await r.text())); })
      .catch(() => { log?.(0); this.feed('h' + id + US + 0 + US + NUL + US + NUL + US); });
  }

  /**
   * Runs one batch after the previous one on the same storage (an app's storage may be
   * async); returns the new tail of that chain.
   * @param {Promise<void>} chain @param {any} s @param {number} id @param {string[]} f
   */
  storage(chain, s, id, f) {
    return chain.then(async () => {
      /** @type {string[]} */ const got = [];
      try {
        for (let i = 2; i < f.length;) {
          const op = f[i++], k = f[i++];
          if (op === 'g') got.push((await s.getItem(k)) ?? NUL);
          else if (op === 's') await s.setItem(k, f[i++]);
          else await s.removeItem(k);
        }
        this.feed('s' + id + US + 1 + got.map((v) => US + v).join(''));
      } catch { this.feed('s' + id + US + 0); }
    });
  }
}

/** The session API: sign in with a password (SRP), sessions and their refresh, sign-out. */
export class CognitoAuth {
  #r;
  /** @param {Record<string, any>} config */
  constructor(config) { this.#r = new Runner(config); }
  /** @internal The full facade's way to its runner. @param {CognitoAuth} a */
  static _runner(a) { return a.#r; }

  /** The storage in use (`'memory'` after a fallback). */
  get storageKind() { return this.#r.kind; }

  /** @param {{forceRefresh?: boolean}} [o] */
  currentSession(o) { return o === undefined ? this.#r.api('S') : this.#r.op('currentSession', o); }
  /** @param {any} input */
  signIn(input) { return this.#r.op('signIn', input); }
  /** @param {{global?: boolean, redirect?: boolean}} [opts] */
  signOut(opts) { return this.#r.api('O' + US + ((opts && opts.global ? 1 : 0) | (opts && opts.redirect ? 2 : 0))); }
  /** @param {(e: any) => void} f */
  onAuthStateChange(f) { this.#r.listeners.add(f); return () => { this.#r.listeners.delete(f); }; }

  /** Releases this client: its engine state, timers, locks and listeners. */
  free() { this.#r.free(); }
}
