// The plugin gets a ref: the app mounts at once ('loading'), the client arrives after init().
// The emulator's endpoint, pool and client come from the query string, as in www-demo.
import { createApp, shallowRef } from 'vue';
import init, { CognitoAuth } from 'cognito-wasm';
import { createCognito } from 'cognito-wasm/vue';
import App from './App.vue';

const q = new URLSearchParams(location.search);
const auth = shallowRef<CognitoAuth | null>(null);
createApp(App).use(createCognito(auth)).mount('#app');
await init();
auth.value = new CognitoAuth({
  userPoolId: q.get('userPoolId') ?? '',
  clientId: q.get('clientId') ?? '',
  endpoint: q.get('endpoint') ?? undefined,
  autoRefresh: true,
  refreshLeeway: 60,
});
