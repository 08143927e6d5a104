import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ROOT } from '../terminal/child.ts';
import { captureLogs, type Served, serve } from './helpers.ts';

// There is no Docker engine or flyctl here: the Dockerfile and the Fly configurations are checked by reading
// them for the invariants the deploy section promises, and the image's HEALTHCHECK command is run for real.

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  body: Instruction[];
}

/** Dockerfile instructions by stage: comments dropped, `\` continuations joined. */
function stages(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (op === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      out.push({ from: from as string, name: as?.toUpperCase() === 'AS' ? name : undefined, body: [] });
    } else out.at(-1)?.body.push({ op, args });
  }
  return out;
}

/** Every instruction the stage sees: its own after those of the stages it is built FROM. */
function chain(all: Stage[], stage: Stage): Instruction[] {
  const parent = all.find((s) => s.name === stage.from);
  return [...(parent ? chain(all, parent) : []), ...stage.body];
}

const last = <T>(xs: T[]): T | undefined => xs.at(-1);

describe('Dockerfile', () => {
  const all = stages(read('Dockerfile'));
  const runtime = last(all) as Stage;
  const seen = chain(all, runtime);
  const op = (name: string, instrs = seen) => instrs.filter((i) => i.op === name);

  it('every stage is built on the current LTS slim image or on an earlier stage', () => {
    expect(all.length).toBeGreaterThan(0);
    const names = new Set(all.map((s) => s.name));
    for (const s of all) expect(s.from === 'node:24-slim' || names.has(s.from), s.from).toBe(true);
    expect(all[0]?.from).toBe('node:24-slim');
  });

  it('the default target runs as a non-root user', () => {
    const user = last(op('USER'))?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('installs production dependencies only, from the lock file', () => {
    expect(op('RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r.args))).toBe(true);
    expect(op('RUN').some((r) => /\bnpm (install|i)\b/.test(r.args))).toBe(false);
  });

  it('CMD is what `npm start` runs, as one exec-form process', () => {
    const cmd = JSON.parse(last(op('CMD'))?.args ?? 'null') as string[];
    expect(cmd).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    const pkg = JSON.parse(read('package.json')) as { scripts: { start: string } };
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
  });

  it('the volume target starts as root only to hand /data over, then runs the same CMD as `node`', () => {
    const volume = all.find((s) => s.name === 'volume') as Stage;
    const v = chain(all, volume);
    expect(op('USER', v)).toEqual([]);
    const entry = JSON.parse(last(op('ENTRYPOINT', v))?.args ?? 'null') as string[];
    expect(entry.slice(0, 2)).toEqual(['sh', '-c']);
    expect(entry[2]).toMatch(
      /chown -R node:node \/data && exec setpriv --reuid=node --regid=node --init-groups/,
    );
    expect(JSON.parse(last(op('CMD', v))?.args ?? 'null')).toEqual([
      'node',
      '--import',
      'tsx',
      'src/main.ts',
    ]);
  });

  describe('HEALTHCHECK, run as the image would run it', () => {
    let served: Served | undefined;
    afterEach(async () => {
      await served?.close();
      served = undefined;
    });
    const healthcheck = () => {
      const h = last(op('HEALTHCHECK'))?.args ?? '';
      const json = h.slice(h.indexOf('CMD') + 3).trim();
      return JSON.parse(json) as string[];
    };
    const run = (argv: string[], port: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, argv.slice(1), {
          env: { PATH: process.env.PATH ?? '', PORT: String(port) },
          stdio: 'ignore',
        });
        child.once('close', (code) => resolve(code));
      });

    it('asks /healthz with node (slim has no curl): 0 when the bot answers, 1 when it does not', async () => {
      const argv = healthcheck();
      expect(argv[0]).toBe('node');
      expect(argv.join(' ')).toContain('/healthz');
      served = await serve(captureLogs().logger);
      const port = Number(new URL(served.url).port);
      expect(await run(argv, port)).toBe(0);
      await served.close();
      expect(await run(argv, port)).toBe(1);
    });
  });

  it('.dockerignore keeps local state, secrets and the repository out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.env', '.git', 'data', 'exports']) expect(ignored).toContain(p);
  });
});

type Toml = Record<string, unknown>;
const tables = (v: unknown) => (Array.isArray(v) ? (v as Toml[]) : v ? [v as Toml] : []);

describe('Fly.io configurations', () => {
  const dockerStages = stages(read('Dockerfile')).map((s) => s.name);

  const common = (fly: Toml) => {
    expect(fly.kill_signal).toBe('SIGTERM');
    expect(fly.kill_timeout).toBeGreaterThanOrEqual(15);
    expect(fly.kill_timeout).toBeLessThanOrEqual(300);
    const env = fly.env as Record<string, string>;
    const http = fly.http_service as Toml;
    expect(http.internal_port).toBe(Number(env.PORT));
    expect(http.auto_stop_machines).toBe('off');
    // Routing follows readiness; liveness is a separate, non-routing check.
    expect(tables(http.checks).map((c) => c.path)).toEqual(['/readyz']);
    const checks = Object.values(fly.checks as Record<string, Toml>);
    expect(checks).toContainEqual(
      expect.objectContaining({ type: 'http', path: '/healthz', port: http.internal_port }),
    );
    // Scraped on the private metrics port, which the load balancer does not publish.
    expect((fly.metrics as Toml).port).toBe(Number(env.METRICS_PORT));
    expect((fly.metrics as Toml).path).toBe('/metrics');
    expect((fly.metrics as Toml).port).not.toBe(http.internal_port);
    // Non-secret settings only: tokens and the Redis URL go in `fly secrets`.
    for (const key of Object.keys(env)) expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD/);
    return env;
  };

  it('fly.toml: N machines on Redis, webhook, no volume, rolling deploys', () => {
    const fly = parse(read('fly.toml')) as Toml;
    const env = common(fly);
    expect(fly.mounts).toBeUndefined();
    expect(fly.deploy).toMatchObject({ strategy: 'rolling', max_unavailable: 1 });
    // STORE_URL is a secret (it carries the Redis password); everything else parses with it.
    expect(env.STORE_URL).toBeUndefined();
    expect(env.TELEGRAM_WEBHOOK_URL).toMatch(/^https:\/\//);
    const config = parseConfig({ ...env, STORE_URL: 'rediss://default:pw@redis.internal:6379' });
    expect(config.TELEGRAM_WEBHOOK_URL).toBe(env.TELEGRAM_WEBHOOK_URL);
    const build = fly.build as Toml;
    expect(build.dockerfile).toBe('Dockerfile');
    expect(build['build-target']).toBeUndefined();
  });

  it('docs/fly-single.toml: one machine, SQLite on the volume, long polling, the volume target', () => {
    const fly = parse(read('docs/fly-single.toml')) as Toml;
    const env = common(fly);
    const mounts = tables(fly.mounts);
    expect(mounts).toHaveLength(1);
    expect(mounts[0]?.destination).toBe('/data');
    expect(env.STORE_URL).toBe('sqlite:///data/bot.sqlite');
    expect(env.EXPORT_DIR?.startsWith('/data/')).toBe(true);
    expect(env.TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(() => parseConfig(env)).not.toThrow();
    const target = (fly.build as Toml)['build-target'];
    expect(target).toBe('volume');
    expect(dockerStages).toContain(target);
  });
});
