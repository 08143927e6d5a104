import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeNemo } from '../fakes/nemo/server.ts';
import type { FakeNemo } from '../fakes/nemo/types.ts';
import { TcpFront } from './front.ts';

// The TCP front that makes NemoVideo outages: refused or reset connections for a window, then service again.

let nemo: FakeNemo;
let front: TcpFront;
beforeEach(async () => {
  nemo = await startFakeNemo();
  front = await TcpFront.start(nemo.url);
});
afterEach(async () => {
  await front.close();
  await nemo.close();
});

const get = () =>
  request(`${front.url}/api/credits/balance/simple`).then(
    async (r) => {
      await r.body.dump();
      return String(r.statusCode);
    },
    (e: { code?: string; cause?: { code?: string } }) => e.code ?? e.cause?.code ?? 'error',
  );

describe('TCP front for outages', () => {
  it('passes requests through, refuses connections in a refuse window, then serves again', async () => {
    expect(await get()).toBe('200'); // the fake's 1001 envelope rides on HTTP 200
    const outage = front.outage('refuse', 300);
    await new Promise((r) => setTimeout(r, 50));
    expect(await get()).toBe('ECONNREFUSED');
    await outage;
    expect(await get()).toBe('200');
  });

  it('resets connections in a reset window', async () => {
    const outage = front.outage('reset', 300);
    await new Promise((r) => setTimeout(r, 50));
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(await get());
    await outage;
    expect(await get()).toBe('200');
    expect(front.outages.map((o) => o.mode)).toEqual(['reset']);
  });
});
