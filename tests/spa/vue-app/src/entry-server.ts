// Server rendering: no client on the server, so the plugin renders 'loading' and never
// reaches the wasm or `window`.
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createCognito } from 'cognito-wasm/vue';
import App from './App.vue';

export function render(): Promise<string> {
  return renderToString(createSSRApp(App).use(createCognito()));
}
