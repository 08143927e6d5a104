import { readFileSync } from 'node:fs';
import { humanLog, startTerminal } from './adapters/terminal/index.ts';
import type { AdapterDeps, AdapterHandle } from './adapters/types.ts';
import { type Config, ConfigError, checkPaths, parseConfig } from './config.ts';
import { createEngine } from './core/engine.ts';
import { Instance } from './core/instance.ts';
import type { Engine } from './core/ports.ts';
import { preflight } from './core/preflight.ts';
import { createNemoClient, type NemoTiming } from './nemo/index.ts';
import { createOps } from './ops.ts';
import { createLogger, Secrets } from './secrets.ts';
import { createStore, type Store } from './store/index.ts';

// Builds the bot from the environment and runs it until input ends (terminal chat) or a signal arrives.
// Exit codes: 0 normal stop, 1 startup failure (a wrong platform token, a port in use), 2 bad configuration.

export interface RunOptions {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Every secret the bot learns lands here; main uses it to redact a last-resort crash line too. */
  secrets?: Secrets;
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The client's budgets from the configuration (src/nemo knows nothing of Config). */
export function nemoTimingFromConfig(c: Config): NemoTiming {
  return {
    httpTimeoutMs: c.HTTP_TIMEOUT_MS,
    transferTimeoutMs: c.TRANSFER_TIMEOUT_MS,
    sseTimeoutMs: c.SSE_TIMEOUT_MS,
    sseStuckMs: c.SSE_STUCK_MS,
    rateLimitRetryMs: c.RATE_LIMIT_RETRY_MS,
    renderPollIntervalMs: c.RENDER_POLL_INTERVAL_MS,
    renderPollMax: c.RENDER_POLL_MAX,
    maxUploadBytes: c.MAX_UPLOAD_MB * 1024 * 1024,
  };
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

function signalled(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      // A second Ctrl+C while shutting down means "now".
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
    dispose = () => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    };
  });
  return { promise, dispose };
}

export async function runBot({
  env,
  stdin,
  stdout,
  stderr,
  secrets = new Secrets(),
}: RunOptions): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(env);
    await checkPaths(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stderr.write(`${oneLine(e.message)}\n`);
    return 2;
  }
  for (const s of [config.NEMO_TOKEN, config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN]) secrets.add(s);
  secrets.add(config.TELEGRAM_WEBHOOK_SECRET);
  const platforms = Boolean(config.TELEGRAM_BOT_TOKEN || config.DISCORD_TOKEN);
  const interactive = Boolean(stdin.isTTY && stdout.isTTY);
  // A person's terminal with stderr on the same screen: short human lines, not JSON (see log-lines.ts).
  const logs = !platforms && interactive && stderr.isTTY ? humanLog(stderr) : undefined;
  const logger = createLogger({ level: config.LOG_LEVEL, secrets, destination: logs?.stream ?? stderr });
  const checking = new AbortController();
  const stop = signalled();
  const handles: AdapterHandle[] = [];
  let store: Store | undefined;
  let engine: Engine | undefined;
  let instance: Instance | undefined;
  const ops = createOps({ config, logger, secrets, version, state: () => store?.state });
  const http = ops.http;

  const shutdown = async () => {
    checking.abort();
    for (const h of handles)
      await h.stop().catch((e: unknown) => logger.warn({ err: e }, 'adapter stop failed'));
    await engine?.close().catch((e: unknown) => logger.warn({ err: e }, 'engine close failed'));
    // After the engine: its work is recorded, so survivors may take it over at once.
    await instance?.stop().catch((e: unknown) => logger.warn({ err: e }, 'instance stop failed'));
    if (store) await store.close().catch((e: unknown) => logger.warn({ err: e }, 'store close failed'));
    await ops.close();
    stop.dispose();
  };

  try {
    const opened = await createStore(config.STORE_URL, {
      logger,
      secrets,
      namespace: config.STORE_NAMESPACE,
    });
    store = opened;
    const self = new Instance({
      state: opened.state,
      shared: opened.shared,
      leaseMs: config.INSTANCE_LEASE_MS,
      logger,
      metrics: ops.metrics.port,
    });
    await self.start();
    instance = self;
    // No backend call here: the bot starts even when NemoVideo is unreachable and answers users with an error.
    const nemo = createNemoClient({
      baseUrl: config.NEMO_API_URL,
      version,
      secrets,
      logger,
      timing: nemoTimingFromConfig(config),
    });
    // A rejected NEMO_TOKEN or a wrong NEMO_API_URL is logged once now; not awaited: it never holds the start.
    if (config.NEMO_TOKEN) void preflight(nemo, config.NEMO_TOKEN, logger, checking.signal);
    const eng = createEngine({
      config,
      nemo,
      store: opened.keyv,
      state: opened.state,
      logger,
      secrets,
      mount: http.mount,
      instance: self,
      metrics: ops.metrics.port,
    });
    engine = eng;
    // A terminal chat serves HTTP only when PORT was set on purpose: two developer terminals must not
    // fight over 8080. Platform modes always serve it (health checks, webhooks).
    if (platforms || env.PORT?.trim()) {
      const port = await http.listen(config.PORT);
      logger.info({ port }, 'http server listening');
    }
    await ops.listenMetrics();
    const deps: AdapterDeps = {
      engine: eng,
      config,
      logger,
      secrets,
      state: opened.state,
      mount: http.mount,
      health: ops.health,
      metrics: ops.metrics.port,
      instanceId: self.id,
    };
    // Loaded on demand: the terminal chat starts without paying for discord.js and grammY.
    if (config.TELEGRAM_BOT_TOKEN) {
      ops.health.expect('telegram');
      const { startTelegram } = await import('./adapters/telegram/index.ts');
      handles.push(await startTelegram(deps));
    }
    if (config.DISCORD_TOKEN) {
      ops.health.expect('discord');
      const { startDiscord } = await import('./adapters/discord/index.ts');
      handles.push(await startDiscord(deps));
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    stderr.write(`nemo-video-bot: ${oneLine(secrets.redact(message))}\n`);
    logger.debug({ err: e }, 'startup failed');
    await shutdown();
    return 1;
  }
  if (!engine) return 1;

  const resume = (eng: Engine) =>
    eng.resume().catch((e: unknown) => logger.error({ err: e }, 'resuming earlier jobs failed'));

  if (platforms) {
    await resume(engine);
    const sig = await stop.promise;
    // Not ready from this moment: the load balancer stops sending while in-flight work is persisted.
    ops.health.drain();
    logger.info({ signal: sig }, 'stopping');
  } else {
    const abort = new AbortController();
    const eng: Engine = engine;
    const done = startTerminal({
      engine: eng,
      input: stdin,
      output: stdout,
      config,
      logger,
      interactive,
      ...(logs ? { logs } : {}),
      ready: () => resume(eng),
      signal: abort.signal,
    });
    const why = await Promise.race([done.then(() => 'eof' as const), stop.promise]);
    ops.health.drain();
    if (why !== 'eof') logger.info({ signal: why }, 'stopping');
    abort.abort();
  }
  await shutdown();
  return 0;
}
