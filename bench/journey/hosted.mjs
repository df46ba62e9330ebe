// The Amplify-basic journey as an app would write it with the package's `cognito-wasm/core-hosted`
// entry (pkg/cognito_wasm_core_hosted.js, which imports cognito_wasm_core.js) over its engine,
// the smallest with the hosted UI (cognito_wasm_core_hosted.wasm): SRP sign-in, currentSession() with a refresh, signOut(), then
// a hosted-UI redirect sign-in and its callback. Settings come from the page's query string;
// the page is loaded twice (before the redirect and on the callback).
import init, { CognitoAuth } from '../../pkg/cognito_wasm_core_hosted.js';

const q = new URLSearchParams(location.search);
const back = new URL(location.href).searchParams.has('code');
const conf = JSON.parse(sessionStorage.getItem('journey.conf') ?? 'null') ?? Object.fromEntries(q);
sessionStorage.setItem('journey.conf', JSON.stringify(conf));
const out = JSON.parse(sessionStorage.getItem('journey.out') ?? '{"events":[]}');
try {
  await init('./engine.wasm');
  const auth = new CognitoAuth({ userPoolId: conf.userPoolId, clientId: conf.clientId, endpoint: conf.endpoint,
    domain: conf.endpoint.replace(/\/$/, ''), redirectSignIn: `${location.origin}/` });
  auth.onAuthStateChange((e) => out.events.push(e.type));
  if (!back) {
    const r = await auth.signIn({ username: conf.username, password: conf.password });
    out.signIn = r.type;
    const first = r.session.accessToken;
    // The tokens live 2 s (emulator setting): after 1.2 s they are inside the clamped leeway.
    await new Promise((res) => setTimeout(res, 1200));
    const s = await auth.currentSession();
    out.refreshed = s !== null && s.accessToken !== first;
    out.signOut = await auth.signOut();
    sessionStorage.setItem('journey.out', JSON.stringify(out));
    await auth.signInWithRedirect(); // navigates to the hosted UI
  } else {
    const r = await auth.handleRedirectCallback();
    out.redirect = r.type ?? 'signedIn';
    out.hostedUser = r.session?.username ?? null;
    out.cleanUrl = !location.search.includes('code=');
    window.__journey = out;
  }
} catch (e) {
  out.error = `${e.name}: ${e.message}`;
  window.__journey = out;
}
