import { defineConfig } from 'vite';

// The teaching page lives in src/web and is served by the signaling server from dist/web.
export default defineConfig({
  root: 'src/web',
  base: './',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
