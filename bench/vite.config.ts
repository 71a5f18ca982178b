import { defineConfig } from 'vite';

// The benchmark tabs: built beside the page, served by the same signaling server.
export default defineConfig({
  root: 'bench/web',
  base: './',
  logLevel: 'warn',
  build: { outDir: '../../dist/bench', emptyOutDir: true, target: 'es2022' },
});
