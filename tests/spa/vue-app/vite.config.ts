import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// cognito-* tags are custom elements (cognito-wasm/element), not Vue components.
// cognito-wasm stays out of dependency pre-bundling, as its README says for Vite.
export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('cognito-') } } })],
  optimizeDeps: { exclude: ['cognito-wasm'] },
  build: { emptyOutDir: true },
});
