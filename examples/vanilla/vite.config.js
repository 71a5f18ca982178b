import { defineConfig } from 'vite';
// `npx vite examples/vanilla` serves the page; /ws goes on to the signaling server of `npm start`.
export default defineConfig({
    server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
});
//# sourceMappingURL=vite.config.js.map