# syntax=docker/dockerfile:1
# realmgate image: build with dev dependencies, run with production dependencies only.
# scripts/docker-replay.sh replays these steps without a Docker engine (CI runs it); keep the two
# in step when changing either.

# Pinned Node LTS (20, the engines floor in package.json); bump together with package.json and CI.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the native addons (bufferutil, cbor-extract, msgpackr-extract) are optional
# speedups with JS fallbacks, and the image npm (10) would otherwise try to compile them.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    REALMGATE_CONFIG=/etc/realmgate/config.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY --from=build /app/dist ./dist
# Non-root, numeric so runAsNonRoot can verify it; the chart's securityContext uses the same id.
RUN groupadd --system --gid 10001 realmgate \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin realmgate
USER 10001:10001
# 8080: client-facing WebSocket/HTTP (listen.port); 9090: admin (health, metrics, status, drain).
EXPOSE 8080 9090
# No curl in the image: the gate checks itself. `health` reads the admin port from REALMGATE_CONFIG
# (liveness: the process serves; readiness is the orchestrator's business, not a reason to restart).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["node", "dist/main.js", "health"]
# SIGHUP re-reads the config in place (docker kill -s HUP); a port change is refused and logged.
# SIGTERM goes straight to node (no shell in between), which drains and exits 0.
ENTRYPOINT ["node", "dist/main.js"]
