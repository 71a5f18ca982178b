import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { WORKSPACE_SOURCES } from '../../workspace.config.js';

// The teaching page is built into the server package (packages/server/dist/web, its TEACHING_PAGE_DIR), which
// serves it: `icebreaker serve`, and any host that mounts the signaling server with `staticDir: TEACHING_PAGE_DIR`.
// It is bundled from the client's and protocol's sources, so it never waits for their build.
export default defineConfig({
  root: fileURLToPath(new URL('src', import.meta.url)),
  base: './',
  resolve: { alias: WORKSPACE_SOURCES },
  build: {
    outDir: fileURLToPath(new URL('../server/dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
