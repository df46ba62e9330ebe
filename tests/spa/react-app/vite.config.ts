import { defineConfig } from 'vite';

// No React plugin: esbuild compiles the TSX (automatic runtime). cognito-wasm stays out of
// dependency pre-bundling, as its README says for Vite.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  optimizeDeps: { exclude: ['cognito-wasm'] },
  build: { emptyOutDir: true },
});
