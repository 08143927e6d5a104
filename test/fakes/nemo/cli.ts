// `npm run fake:nemo -- --port 8787 [--poll-shape B] [--heartbeat comment] [--generate-ms 3000] …`
// Runs the fake NemoVideo backend for a human (slower defaults), prints its URL on stderr, stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startFakeNemo } from './server.ts';
import type { FakeNemoOptions } from './types.ts';

const HELP = `fake NemoVideo backend
  --port N              fixed port (default: any free port)
  --poll-shape A|B      render poll reply shape (default A)
  --heartbeat empty|json|comment   (default empty)
  --heartbeat-ms N      (default 1000)      --generate-ms N  (default 3000)   --reply-ms N (default 500)
  --render-polls N      (default 3)         --render-fails
  --errors-as body|status                   --silent-edits   --partial-text  --thoughts
  --simplified          older {type:"text"} events           --crlf          --chunk-bytes N
  --trailing-issue      --no-attribution-check               --credits N
  --operator-token T    (repeatable)        --reply-text TEXT  --token-ttl-ms N`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'poll-shape': { type: 'string' },
    heartbeat: { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'generate-ms': { type: 'string' },
    'reply-ms': { type: 'string' },
    'render-polls': { type: 'string' },
    'render-fails': { type: 'boolean' },
    'errors-as': { type: 'string' },
    'silent-edits': { type: 'boolean' },
    'partial-text': { type: 'boolean' },
    thoughts: { type: 'boolean' },
    simplified: { type: 'boolean' },
    crlf: { type: 'boolean' },
    'chunk-bytes': { type: 'string' },
    'trailing-issue': { type: 'boolean' },
    'no-attribution-check': { type: 'boolean' },
    credits: { type: 'string' },
    'operator-token': { type: 'string', multiple: true },
    'reply-text': { type: 'string' },
    'token-ttl-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stderr.write(`${HELP}\n`);
  process.exit(0);
}

function num(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${v}`);
  return n;
}
function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new Error(`expected one of ${allowed.join('|')}: ${v}`);
  return v as T;
}

const opts: Partial<FakeNemoOptions> = {
  pollShape: oneOf(values['poll-shape'], ['A', 'B'] as const, 'A'),
  heartbeat: oneOf(values.heartbeat, ['empty', 'json', 'comment'] as const, 'empty'),
  heartbeatMs: num(values['heartbeat-ms'], 1000),
  generateMs: num(values['generate-ms'], 3000),
  replyMs: num(values['reply-ms'], 500),
  renderPolls: num(values['render-polls'], 3),
  renderFails: values['render-fails'] ?? false,
  errorsAs: oneOf(values['errors-as'], ['body', 'status'] as const, 'body'),
  silentEdits: values['silent-edits'] ?? false,
  partialText: values['partial-text'] ?? false,
  thoughts: values.thoughts ?? false,
  simplifiedEvents: values.simplified ?? false,
  lineEnding: values.crlf ? '\r\n' : '\n',
  chunkBytes: num(values['chunk-bytes'], 65_536),
  trailingIssue: values['trailing-issue'] ?? false,
  requireAttribution: !values['no-attribution-check'],
  credits: { available: num(values.credits, 100), frozen: 0 },
  operatorTokens: values['operator-token'] ?? [],
  tokenTtlMs: num(values['token-ttl-ms'], 7 * 24 * 3600_000),
};
if (values['reply-text'] !== undefined) opts.replyText = values['reply-text'];

const fake = await startFakeNemo(opts, { port: num(values.port, 0) });
const url = fake.url;
process.stderr.write(`fake NemoVideo listening on ${url}  (NEMO_API_URL=${url})\n`);

async function stop(signal: string): Promise<void> {
  process.stderr.write(`fake NemoVideo: ${signal}, stopping\n`);
  await fake.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
