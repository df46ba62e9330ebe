// webpack 5, no loaders or plugins: the entry is bundled to dist/main.js, the wasm file the
// package's glue references with `new URL(…, import.meta.url)` becomes an asset next to it.
const path = require('node:path');
const fs = require('node:fs');

module.exports = {
  entry: './src/index.js',
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'main.js',
    clean: true,
  },
  performance: { hints: false },
  plugins: [
    {
      // Copy the page next to the bundle (saves a dependency on html-webpack-plugin).
      apply(compiler) {
        compiler.hooks.afterEmit.tap('copy-index-html', () => {
          fs.copyFileSync(path.resolve(__dirname, 'src/index.html'), path.resolve(__dirname, 'dist/index.html'));
        });
      },
    },
  ],
};
