# syntax=docker/dockerfile:1
# Icebreaker signaling server + teaching page. Build: docker build -t icebreaker .
# Run:   docker run -p 8080:8080 -e ICEBREAKER_AUTH_SECRET=... icebreaker
# Any `serve` flag can follow the image name, e.g. `icebreaker serve --room-capacity 8`.

# ── build: full toolchain, dev dependencies, then only what runs is kept ───────────────────────────
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The workspace's manifests first, so that the dependency layer is cached while only sources change.
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ── run: no compiler, no sources, no dev dependencies, not root ────────────────────────────────────
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ICEBREAKER_HOST=0.0.0.0 \
    ICEBREAKER_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# Each package's manifest and build (node_modules/@icebreaker/* link to them); the page is in packages/server/dist/web.
COPY --from=build /app/packages/protocol/package.json ./packages/protocol/
COPY --from=build /app/packages/protocol/dist ./packages/protocol/dist
COPY --from=build /app/packages/client/package.json ./packages/client/
COPY --from=build /app/packages/client/dist ./packages/client/dist
COPY --from=build /app/packages/server/package.json ./packages/server/
COPY --from=build /app/packages/server/dist ./packages/server/dist
COPY --from=build /app/packages/cli/package.json ./packages/cli/
COPY --from=build /app/packages/cli/dist ./packages/cli/dist
# The image's own `node` user (uid 1000); the files stay root-owned, so the server cannot rewrite itself.
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.ICEBREAKER_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: clients are told to reconnect elsewhere; give `docker stop -t` more than --drain-timeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "packages/cli/dist/main.js"]
CMD ["serve"]
