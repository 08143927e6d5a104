// `node --import tsx bench/fake-child.ts '<FakeNemoOptions JSON>'`: the fake NemoVideo for a benchmark, in its
// own process. Prints its URL as the first stdout line; stops on SIGTERM or when the parent goes away.
import { startFakeNemo } from '../test/fakes/nemo/server.ts';
import type { FakeNemoOptions } from '../test/fakes/nemo/types.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as Partial<FakeNemoOptions>;
const fake = await startFakeNemo(opts);
process.stdout.write(`${fake.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void fake.close().finally(() => process.exit(0));
  // Open keep-alive sockets must not hold the exit.
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
// The parent's stdout pipe closing means the parent is gone (it was killed).
process.stdout.on('error', stop);
// A parent killed outright leaves us re-parented: stop rather than linger.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 500).unref();
