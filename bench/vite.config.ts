import { defineConfig } from 'vite';
import { WORKSPACE_SOURCES } from '../workspace.config.js';

// The benchmark tabs: built beside the page, served by the same signaling server.
export default defineConfig({
  root: 'bench/web',
  base: './',
  logLevel: 'warn',
  resolve: { alias: WORKSPACE_SOURCES },
  // Not minified: the CPU profiles of BENCH_CPU_PROF then name the library's own functions.
  build: { outDir: '../../dist/bench', emptyOutDir: true, target: 'es2022', minify: false },
});
