import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const source = (name: string) => fileURLToPath(new URL(`../${name}/src/index.ts`, import.meta.url));

// The teaching page is built into the CLI package, which serves it (`icebreaker serve`): packages/cli/dist/web.
// It is bundled from the client's and protocol's sources, so it never waits for their build.
export default defineConfig({
  root: fileURLToPath(new URL('src', import.meta.url)),
  base: './',
  resolve: { alias: { '@icebreaker/client': source('client'), '@icebreaker/protocol': source('protocol') } },
  build: {
    outDir: fileURLToPath(new URL('../cli/dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
