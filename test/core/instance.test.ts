import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/core/instance.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';
import { MemoryState } from '../../src/store/index.ts';

// A restart after SIGKILL on a shared store: the new process must not wait out the dead one's liveness lease
// when that process ran on this host and has exited (its id names host and pid).

const logger = createLogger({ level: 'silent', secrets: new Secrets() });

describe('instance liveness', () => {
  it('an exited process of this host is gone at once; a live or remote one counts while its lease holds', async () => {
    const state = new MemoryState();
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    const dead = new Instance({
      state,
      shared: true,
      leaseMs: 60_000,
      logger,
      id: `${hostname()}-${exited}-ab12`,
    });
    const remote = new Instance({ state, shared: true, leaseMs: 60_000, logger, id: 'elsewhere-1-cd34' });
    const sibling = new Instance({ state, shared: true, leaseMs: 60_000, logger });
    for (const i of [dead, remote, sibling]) await i.start();
    dead.halt();
    const self = new Instance({ state, shared: true, leaseMs: 60_000, logger });
    await self.start();
    expect(await self.alive(dead.id)).toBe(false);
    expect(await self.alive(remote.id)).toBe(true);
    expect(await self.alive(sibling.id)).toBe(true); // same pid: only its lease tells
    const lease = await state.acquireLease('job:1', dead.id, 60_000);
    expect(lease).toBeDefined();
    const taken = await self.take('job:1', 'export');
    expect(taken?.lease.owner).toBe(self.id);
    for (const i of [remote, sibling, self]) await i.stop();
  });
});
