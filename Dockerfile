# The bot's runtime image: the current Node LTS (24), production dependencies only (tsx is one, so there is no
# build step), run as the unprivileged `node` user of the official image. Development and CI also run Node 20.
#
# Two targets:
#   runtime (the default, last) — for N machines on Redis, or any host where /data is not a root-owned mount.
#   volume  — for one machine whose /data is a volume the host mounts owned by root (docs/fly-single.toml):
#             it starts as root only to hand /data to `node`, then runs the bot as `node`.

FROM node:24-slim AS base
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
# The code stays root-owned (the bot cannot rewrite itself); it writes only under /data.
RUN mkdir -p /data/exports && chown -R node:node /data
ENV STORE_URL=sqlite:///data/bot.sqlite \
    EXPORT_DIR=/data/exports \
    PORT=8080
EXPOSE 8080
# Liveness: slim has no curl, so Node's own fetch asks /healthz (the process answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM base AS volume
# setpriv (util-linux, essential in Debian) drops to `node` for good; exec keeps the bot the one process, so the
# platform's SIGTERM reaches it.
ENTRYPOINT ["sh", "-c", "chown -R node:node /data && exec setpriv --reuid=node --regid=node --init-groups -- \"$@\"", "--"]
CMD ["node", "--import", "tsx", "src/main.ts"]

FROM base AS runtime
USER node
# What `npm start` runs, as one process: SIGTERM from the platform reaches the bot itself (npm and tsx's CLI
# would each add a process that relays it).
CMD ["node", "--import", "tsx", "src/main.ts"]
