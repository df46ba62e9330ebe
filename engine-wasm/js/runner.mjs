// @ts-check
// The runner: executes the engine's effects with Web APIs and forwards API calls to it.
// It holds no policy: every decision (when to refresh, who refreshes, retries, what is
// stored where, which revocation sign-out uses) is made by the Rust engine, which this
// module reaches through a synchronous, raw wasm boundary (no wasm-bindgen glue).
// Wire format: engine-wasm/src/wire.rs.

const US = '\x1f', RS = '\x1e', NUL = '\0';
const enc = new TextEncoder(), dec = new TextDecoder();

/** @type {any} */ let ex;

/** Loads the engine (once per page). @param {string | URL} [url] */
export async function init(url) {
  if (ex) return;
  const res = fetch(url ?? new URL('engine.wasm', import.meta.url));
  ex = (await WebAssembly.instantiateStreaming(res, {})).instance.exports;
}

/** Writes 64 random bytes and `text` into the engine's buffer, runs `fn`, returns its output. */
function call(/** @type {string} */ fn, /** @type {string} */ text, /** @type {number[]} */ ...args) {
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
function error(f, i) {
  const e = /** @type {Error & {code: string, status?: number, retryable: boolean}} */ (new Error(opt(f[i + 3]) ?? f[i]));
  e.name = e.code = f[i];
  if (f[i + 1] !== NUL) e.status = +f[i + 1];
  e.retryable = f[i + 2] === '1';
  return e;
}

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
    const s = kind === 'session' ? sessionStorage : localStorage;
    s.setItem('cognito-wasm.probe', '1'); s.removeItem('cognito-wasm.probe');
    return s;
  } catch { return null; }
}

export class CognitoAuth {
  /** @param {Record<string, any>} config */
  constructor(config) {
    if (!ex) throw new Error('call init() first');
    const custom = config && typeof config.storage === 'object' ? config.storage : null;
    const k = call('configure', JSON.stringify(custom ? { ...config, storage: 'custom' } : config)).split(US);
    if (k[0] === 'E') throw error(k, 1);
    /** @type {Map<number, [(v: any) => void, (e: any) => void]>} */ this.calls = new Map();
    /** @type {Map<number, any>} */ this.timers = new Map();
    /** @type {Map<number, () => void>} */ this.locks = new Map();
    /** @type {Set<(e: any) => void>} */ this.listeners = new Set();
    this.next = 1;
    this.chain = Promise.resolve();
    this.store = k[1] === 'memory' ? null : openStorage(k[1], custom, k[2]);
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(k[3]) : null;
    if (this.channel) this.channel.onmessage = (m) => this.feed('n' + m.data);
    if (typeof document === 'object') {
      document.addEventListener('visibilitychange', () => this.feed('v' + (document.hidden ? 1 : 0)));
    }
    const ok = k[1] === 'memory' || this.store !== null;
    // Deferred, so listeners added right after the constructor hear the first events.
    queueMicrotask(() => {
      this.run(call('start', '', ok ? 1 : 0, Date.now()));
      if (typeof document === 'object' && document.hidden) this.feed('v1');
    });
  }

  /** @param {string} text */
  feed(text) { this.run(call('input', text, Date.now())); }

  /** @param {string} op @returns {Promise<any>} */
  api(op) {
    const id = this.next++;
    return new Promise((res, rej) => { this.calls.set(id, [res, rej]); this.feed('c' + id + US + op); });
  }

  currentSession() { return this.api('S'); }
  /** @param {{username: string, password: string}} input */
  signIn(input) { return this.api('I' + US + input.username + US + input.password); }
  /** @param {{global?: boolean}} [opts] */
  signOut(opts) { return this.api('O' + US + (opts && opts.global ? 1 : 0)); }
  /** @param {(e: any) => void} f */
  onAuthStateChange(f) { this.listeners.add(f); return () => this.listeners.delete(f); }

  /** Executes the engine's effects, in order. @param {string} out */
  run(out) {
    if (!out) return;
    for (const r of out.split(RS)) {
      const f = r.split(US), id = +f[1];
      switch (f[0]) {
        case 'H': this.http(id, f); break;
        case 'S': this.storage(id, f); break;
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
          if (f.length >= 10) ev.session = session(f, 2);
          if (f.length === 6 || f.length === 14) ev.error = error(f, f.length - 4);
          for (const l of [...this.listeners]) try { l(ev); } catch { /* a listener's throw stops nothing */ }
          break;
        }
        case 'C': this.complete(id, f); break;
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
      case 'i': return res({ type: 'signedIn', session: session(f, 3) });
      case 'h': return res({ type: 'challenge', name: f[3] });
      case 'o': return res({ revoked: f[3] === '1', error: f.length > 4 ? error(f, 4) : null });
      default: return rej(error(f, 3));
    }
  }

  /** @param {number} id @param {string[]} f */
  http(id, f) {
    /** @type {Record<string, string>} */ const headers = {};
    // H id method url timeoutMs body (name value)*
    for (let i = 6; i + 1 < f.length; i += 2) headers[f[i]] = f[i + 1];
    const get = f[2] === 'GET';
    fetch(f[3], { method: f[2], headers, body: get ? undefined : f[5], credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(+f[4]) })
      .then(async (r) => this.feed('h' + id + US + r.status + US + (r.headers.get('x-amzn-errortype') ?? NUL) + US + (await r.text())))
      .catch(() => this.feed('h' + id + US + 0 + US + NUL + US));
  }

  /** Runs one batch after the previous one (an app's storage may be async). @param {number} id @param {string[]} f */
  storage(id, f) {
    const s = this.store;
    this.chain = this.chain.then(async () => {
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
