// A plain node:http server that accepts requests carrying a Cognito access token
// (`Authorization: Bearer <token>`) and answers 200 with the user name, or 401.
//
//   USER_POOL_ID=us-east-1_AbC123 CLIENT_ID=1example23456789 node verify-server.mjs
//
// COGNITO_ENDPOINT points the verifier at another Cognito endpoint (the emulator in tests);
// PORT picks the port (default 3000; 0 = any free one). Node 20 or later.
import http from 'node:http';
import { createVerifier } from 'cognito-wasm/server';

const verifier = createVerifier({
  userPoolId: process.env.USER_POOL_ID,
  clientId: process.env.CLIENT_ID,
  endpoint: process.env.COGNITO_ENDPOINT || undefined,
});

/** @param {http.ServerResponse} res @param {number} status @param {object} body */
function reply(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const token = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return reply(res, 401, { error: 'missing bearer token' }, { 'WWW-Authenticate': 'Bearer' });
  try {
    const claims = await verifier.verifyAccessToken(token);
    reply(res, 200, { username: claims.username, scope: claims.scope });
  } catch (e) {
    // A refused token (TokenExpired, TokenBadSignature, TokenWrongUse, …) is the caller's
    // problem: 401. The JWKS out of reach (NetworkError, InvalidResponse) is ours: 503.
    if (e.code?.startsWith('Token')) {
      reply(res, 401, { error: e.code }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    } else {
      reply(res, 503, { error: e.code ?? 'unavailable' });
    }
  }
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`verify-server listening on http://127.0.0.1:${server.address().port}`);
});
