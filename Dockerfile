# syntax=docker/dockerfile:1
# engram as a container: `engram serve` on 0.0.0.0:8765. Build: docker build -t engram .
# Nothing here has been built on the machines engram is developed on (no container engine there);
# `npm test` checks this file's structure (test/deploy/deploy-files.test.ts).

# Build stage: native modules (better-sqlite3) compile here, with the tools they need.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev

# Runtime stage: the built files and production dependencies only, run as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  ENGRAM_DB=/data/engram.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/src/memory/prompts ./src/memory/prompts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8765
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8765/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/engram.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8765"]
