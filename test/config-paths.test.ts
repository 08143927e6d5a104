import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, checkPaths, parseConfig } from '../src/config.ts';
import { ROOT } from './terminal/child.ts';

// Values the schema refuses outright, and paths checked once at start (issue 10): an unusable EXPORT_DIR
// failed only after a full render; a SQLite file under /proc spun at 100% CPU and ignored SIGTERM.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cfg-paths-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusal = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

const pathRefusal = async (env: Record<string, string>): Promise<string> => {
  const err = await checkPaths(parseConfig(env)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as Error).message;
};

describe('config: values that can never work', () => {
  it.each([
    [{ MAX_UPLOAD_MB: '0' }, 'MAX_UPLOAD_MB'],
    [{ MAX_PROMPT_CHARS: '0' }, 'MAX_PROMPT_CHARS'],
    [{ STORE_URL: 'sqlite:///proc/self/fd/1' }, 'STORE_URL'],
    [{ STORE_URL: 'sqlite:///sys/kernel/bot.sqlite' }, 'STORE_URL'],
    [{ STORE_URL: 'sqlite:///dev/null' }, 'STORE_URL'],
    [{ EXPORT_DIR: '/sys/class' }, 'EXPORT_DIR'],
    [{ EXPORT_DIR: '/proc/self' }, 'EXPORT_DIR'],
  ])('%j: one line naming the variable', (env, name) => {
    const message = refusal(env);
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('accepts /dev/shm (ordinary memory) and has a prompt limit of 8,000 by default', () => {
    expect(parseConfig({ STORE_URL: 'sqlite:///dev/shm/bot.sqlite' }).STORE_URL).toBe(
      'sqlite:///dev/shm/bot.sqlite',
    );
    expect(parseConfig({}).MAX_PROMPT_CHARS).toBe(8000);
    expect(parseConfig({ MAX_UPLOAD_MB: '1' }).MAX_UPLOAD_MB).toBe(1);
  });
});

describe('checkPaths: EXPORT_DIR and the SQLite file, once at start', () => {
  it('a file as EXPORT_DIR, or a file in the way of it, is refused naming EXPORT_DIR', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    expect(await pathRefusal({ EXPORT_DIR: file })).toMatch(/^Invalid configuration: EXPORT_DIR: is a file/);
    expect(await pathRefusal({ EXPORT_DIR: path.join(file, 'exports') })).toMatch(
      /EXPORT_DIR: a file is in the way/,
    );
  });

  it('a symlink into /proc is refused for EXPORT_DIR and for the SQLite file', async () => {
    const link = path.join(dir, 'proc-link');
    await symlink('/proc/self', link);
    expect(await pathRefusal({ EXPORT_DIR: link })).toContain('EXPORT_DIR');
    expect(await pathRefusal({ EXPORT_DIR: dir, STORE_URL: `sqlite://${link}/bot.sqlite` })).toContain(
      'STORE_URL',
    );
  });

  it('a read-only directory is refused (EACCES), checked as an ordinary user', async () => {
    const ro = path.join(dir, 'ro');
    await mkdir(ro, { mode: 0o555 });
    await chmod(dir, 0o755); // mkdtemp makes 0700: the ordinary user must reach `ro`
    const env = { EXPORT_DIR: path.join(ro, 'exports'), STORE_URL: 'memory://' };
    if (process.getuid?.() !== 0) {
      expect(await pathRefusal(env)).toBe('Invalid configuration: EXPORT_DIR: is not writable (EACCES)');
      return;
    }
    // Root writes anywhere: run the check as `nobody`, as a bot deployed under its own user would.
    const script = `const { checkPaths, parseConfig } = await import('./src/config.ts');
      await checkPaths(parseConfig(${JSON.stringify(env)})).then(() => console.log('ok'), (e) => console.log(e.message));`;
    // CI runs Node 22/24 from a private temp dir `nobody` cannot enter: then the machine's own node runs it.
    const node = othersReach(process.execPath) ? process.execPath : '/usr/bin/node';
    const run = spawnSync(node, ['--import', 'tsx', '-e', script], {
      uid: 65534,
      gid: 65534,
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
    });
    expect(run.stdout.trim(), run.stderr).toBe('Invalid configuration: EXPORT_DIR: is not writable (EACCES)');
  });

  it('a usable EXPORT_DIR that does not exist yet passes, and nothing is created', async () => {
    await checkPaths(parseConfig({ EXPORT_DIR: path.join(dir, 'a', 'b'), STORE_URL: 'memory://' }));
    expect(await readdir(dir)).toEqual([]);
  });
});

/** Whether a user other than the owner can reach `file` (every directory above it searchable by others). */
function othersReach(file: string): boolean {
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    if (!(statSync(d).mode & 0o001)) return false;
    if (d === path.dirname(d)) return true;
  }
}
