// A minimal SPA using the raw API. The emulator's endpoint, pool and client come from the
// query string (?endpoint=…&userPoolId=…&clientId=…), as in www-demo.
import init, { CognitoAuth, type CognitoError, type SignInResult } from 'cognito-wasm';

const q = new URLSearchParams(location.search);
const form = document.querySelector<HTMLFormElement>('#signin')!;
const user = document.querySelector<HTMLOutputElement>('#user')!;
const error = document.querySelector<HTMLElement>('#error')!;

async function main(): Promise<void> {
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
      .then((r: SignInResult) => {
        if (r.type === 'signedIn') {
          user.textContent = r.session.username;
          document.body.dataset.state = 'signed-in';
        } else {
          error.textContent = `challenge ${r.name}`;
          document.body.dataset.state = 'error';
        }
      })
      .catch((e: CognitoError) => {
        error.textContent = `${e.code}: ${e.message}`;
        document.body.dataset.state = 'error';
      });
  });
  document.body.dataset.state = 'ready';
}

main().catch((e: unknown) => {
  error.textContent = String(e);
  document.body.dataset.state = 'error';
});
