// The sign-in journey as an app would write it with the package's `cognito-wasm/core` entry
// (pkg/cognito_wasm_core.js + cognito_wasm_core.wasm, built by scripts/build-pkg.sh): SRP
// sign-in, currentSession() with a refresh, signOut(). Settings come from the page's query string.
import init, { CognitoAuth } from '../../pkg/cognito_wasm_core.js';

const q = new URLSearchParams(location.search);
const out = { events: [] };
try {
  await init(q.get('wasm') ?? './engine.wasm');
  const auth = new CognitoAuth({ userPoolId: q.get('userPoolId'), clientId: q.get('clientId'), endpoint: q.get('endpoint') });
  auth.onAuthStateChange((e) => out.events.push(e.type));
  const r = await auth.signIn({ username: q.get('username'), password: q.get('password') });
  out.signIn = r.type;
  const first = r.session.accessToken;
  // The tokens live 2 s (emulator setting): after 1.2 s they are inside the clamped leeway.
  await new Promise((res) => setTimeout(res, 1200));
  const s = await auth.currentSession();
  out.refreshed = s !== null && s.accessToken !== first;
  out.signOut = await auth.signOut();
  out.after = await auth.currentSession();
} catch (e) {
  out.error = `${e.name}: ${e.message}`;
}
window.__journey = out;
