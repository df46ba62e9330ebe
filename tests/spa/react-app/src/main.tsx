// The provider renders first without a client ('loading'), then gets one once the wasm is in.
// The emulator's endpoint, pool and client come from the query string, as in www-demo.
import { createRoot } from 'react-dom/client';
import init, { CognitoAuth } from 'cognito-wasm';
import { CognitoProvider } from 'cognito-wasm/react';
import { App } from './App';

const q = new URLSearchParams(location.search);
const root = createRoot(document.getElementById('root')!);
root.render(<CognitoProvider auth={null}><App /></CognitoProvider>);
await init();
const auth = new CognitoAuth({
  userPoolId: q.get('userPoolId') ?? '',
  clientId: q.get('clientId') ?? '',
  endpoint: q.get('endpoint') ?? undefined,
  autoRefresh: true,
  refreshLeeway: 60,
});
root.render(<CognitoProvider auth={auth}><App /></CognitoProvider>);
