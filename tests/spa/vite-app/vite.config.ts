import { defineConfig } from 'vite';

// As the package README says: keep cognito-wasm out of dependency pre-bundling (dev server),
// so `new URL('cognito_wasm_bg.wasm', import.meta.url)` in its glue keeps pointing at the file.
export default defineConfig({
  optimizeDeps: { exclude: ['cognito-wasm'] },
  build: { outDir: 'dist', emptyOutDir: true },
});
