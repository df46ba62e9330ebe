#!/usr/bin/env node
// Tiny dependency-free static server for the demo and the e2e tests.
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]   (--port 0 = any free port)
// Serves www-demo/ at / and pkg/ at /pkg/. Prints "static server on http://127.0.0.1:PORT".
// Everything is also served under /csp/ (e.g. /csp/dropin.html, /csp/pkg/element.js) with the
// strict Content-Security-Policy below, the one README.md's "Content Security Policy" section
// explains; tests/e2e/csp.test.mjs checks that both demo pages work under it.
// Env DEMO_CONFIG_JSON: if set, /config.js is generated from it instead of read from disk
// (scripts/demo.sh uses this to point the demo at the emulator).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function flag(name, dflt) {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : dflt;
}
const port = Number(flag('port', process.env.PORT ?? '8080'));
const host = flag('host', '127.0.0.1');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bad --port ${port}`);
  process.exit(2);
}

// Exactly the policy issue 13 asks the demo pages to work under (no 'unsafe-inline', no
// 'unsafe-eval', Trusted Types enforced for every DOM sink that could run script).
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
  + "img-src 'self' data:; connect-src 'self' http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'; "
  + "require-trusted-types-for 'script'";
const CSP_PREFIX = '/csp/';

const mounts = [
  // longest prefix first
  { prefix: '/pkg/', dir: path.join(root, 'pkg') },
  { prefix: '/', dir: path.join(root, 'www-demo') },
];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function send(res, status, body, type = 'text/plain; charset=utf-8', extra = {}) {
  res.writeHead(status, {
    ...res.cspHeader,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

function inside(dir, file) {
  return file === dir || file.startsWith(dir + path.sep);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'method not allowed\n', undefined, { Allow: 'GET, HEAD' });
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'bad request\n');
  // /csp/…: the same file as /…, with the strict policy (on every reply, HTML or not).
  const requested = pathname;
  if (pathname.startsWith(CSP_PREFIX)) {
    res.cspHeader = { 'Content-Security-Policy': STRICT_CSP };
    pathname = pathname.slice(CSP_PREFIX.length - 1);
  } else if (pathname === '/csp') {
    return send(res, 301, '', undefined, { Location: '/csp/' });
  }

  if (pathname === '/config.js' && process.env.DEMO_CONFIG_JSON) {
    const body = `export default ${process.env.DEMO_CONFIG_JSON};\n`;
    return send(res, 200, req.method === 'HEAD' ? '' : body, MIME['.js']);
  }

  const mount = mounts.find((m) => pathname.startsWith(m.prefix));
  const rel = pathname.slice(mount.prefix.length);
  // Any ".." segment is refused outright; the resolved path is checked again below.
  if (rel.split('/').includes('..')) return send(res, 403, 'forbidden\n');
  let file = path.resolve(mount.dir, '.' + path.posix.normalize('/' + rel));
  if (!inside(mount.dir, file)) return send(res, 403, 'forbidden\n');
  if (pathname.endsWith('/')) file = path.join(file, 'index.html');

  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) {
      return send(res, 301, '', undefined, { Location: requested + '/' });
    }
    if (err || !st.isFile()) return send(res, 404, 'not found\n');
    // Refuse symlinks that lead outside the mount.
    fs.realpath(file, (err2, real) => {
      let realDir;
      try { realDir = fs.realpathSync(mount.dir); } catch { return send(res, 404, 'not found\n'); }
      if (err2 || !inside(realDir, real)) return send(res, 403, 'forbidden\n');
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        ...res.cspHeader,
        'Content-Type': type,
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).pipe(res);
    });
  });
});

server.listen(port, host, () => {
  const a = server.address();
  console.log(`static server on http://${a.address}:${a.port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
