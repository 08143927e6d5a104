# Small runtime image: tsx is a runtime dependency, so `npm ci --omit=dev` is enough to `npm start`.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
EXPOSE 8080
# What `npm start` runs, as one process: SIGTERM from the platform reaches the bot itself (npm and tsx's CLI
# would each add a process that relays it).
CMD ["node", "--import", "tsx", "src/main.ts"]
