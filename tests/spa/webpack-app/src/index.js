// The same minimal SPA as the Vite fixture, in plain JS, bundled by webpack 5. The package's
// glue loads cognito_wasm_bg.wasm with `new URL('cognito_wasm_bg.wasm', import.meta.url)`,
// which webpack 5 emits as an asset on its own (no experiments, no loader).
import init, { CognitoAuth } from 'cognito-wasm';

const q = new URLSearchParams(location.search);
const form = document.querySelector('#signin');
const user = document.querySelector('#user');
const error = document.querySelector('#error');

async function main() {
  await init();
  const auth = new CognitoAuth({
    userPoolId: q.get('userPoolId') ?? '',
    clientId: q.get('clientId') ?? '',
    endpoint: q.get('endpoint') ?? undefined,
    storage: 'memory',
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    document.body.dataset.state = 'signing-in';
    error.textContent = '';
    const data = new FormData(form);
    auth
      .signIn({ username: String(data.get('username')), password: String(data.get('password')) })
      .then((r) => {
        if (r.type === 'signedIn') {
          user.textContent = r.session.username;
          document.body.dataset.state = 'signed-in';
        } else {
          error.textContent = `challenge ${r.name}`;
          document.body.dataset.state = 'error';
        }
      })
      .catch((e) => {
        error.textContent = `${e.code}: ${e.message}`;
        document.body.dataset.state = 'error';
      });
  });
  document.body.dataset.state = 'ready';
}

main().catch((e) => {
  error.textContent = String(e);
  document.body.dataset.state = 'error';
});
