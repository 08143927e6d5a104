import { createInterface } from 'node:readline';
import type { Config } from '../../config.ts';
import { chooseLang } from '../../core/language.ts';
import type { ChatPort, Engine } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import type { Logger } from '../../secrets.ts';
import { parseLine, TERMINAL_ADDRESS } from './inbound.ts';
import { createTerminalPort } from './port.ts';
import { plainScreen, type Screen, ttyScreen } from './screen.ts';

export { mimeFromName, parseLine, TERMINAL_ADDRESS } from './inbound.ts';
export { buttonHint, createTerminalPort, renderMessage } from './port.ts';

export interface TerminalOptions {
  engine: Engine;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  config: Config;
  logger: Logger;
  /** A person at a TTY (prompt, lines handled without blocking) rather than a script. */
  interactive: boolean;
  /** Runs after the `term` chats are registered and before the first line is read (main resumes jobs here). */
  ready?: () => Promise<void>;
  /** Stops reading at once (shutdown); the engine's close persists what is in flight. */
  signal?: AbortSignal;
}

/**
 * The terminal chat (`term:local`). Resolves when input ends and every piece of work, an export included, is
 * done — or at once when `signal` aborts.
 */
export async function startTerminal(options: TerminalOptions): Promise<void> {
  const { engine, config, logger, signal } = options;
  const log = logger.child({ adapter: 'terminal' });
  const tty = options.interactive ? ttyScreen(options.output) : undefined;
  const screen: Screen = tty ?? plainScreen(options.output);
  const chat = createTerminalPort({ address: TERMINAL_ADDRESS, screen, exportDir: config.EXPORT_DIR });
  // Registered before anything awaits, so jobs resumed from an earlier process print here.
  engine.registerChats('term', (address) => (address === TERMINAL_ADDRESS ? chat : undefined));
  await options.ready?.();
  if (signal?.aborted) return;
  log.debug({ interactive: options.interactive }, 'terminal chat started');
  if (tty) await runInteractive(options, chat, screen, tty.setPrompt, tty.userLine);
  else await runScript(options, chat);
}

async function handleLine(engine: Engine, chat: ChatPort, line: string): Promise<void> {
  const parsed = await parseLine(line);
  if (parsed.kind === 'message') await engine.handle(parsed.message, chat);
}

/** A script: each line is handled to the end before the next is read, so `status` sees the prompt's result. */
async function runScript(options: TerminalOptions, chat: ChatPort): Promise<void> {
  const { engine, signal } = options;
  const rl = createInterface({ input: options.input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  const stop = () => rl.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const line of rl) {
      if (signal?.aborted) return;
      await orAbort(handleLine(engine, chat, line), signal);
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (!signal?.aborted) await orAbort(engine.idle(), signal);
}

/** A person: lines are handled without blocking the prompt (the engine queues a prompt behind a running turn). */
async function runInteractive(
  options: TerminalOptions,
  chat: ChatPort,
  screen: Screen,
  setPrompt: (redraw: () => void) => void,
  userLine: () => void,
): Promise<void> {
  const { engine, signal } = options;
  const rl = createInterface({ input: options.input, output: options.output, terminal: true });
  rl.setPrompt('> ');
  setPrompt(() => rl.prompt(true));
  // Before any message there is nothing to choose a language from but the core's default.
  screen.print(messages(chooseLang({})).terminalWelcome);
  rl.on('line', (line) => {
    userLine();
    void handleLine(engine, chat, line).finally(() => rl.prompt(true));
  });
  // Readline swallows Ctrl+C; hand it to main's SIGINT handler (stop, persist, exit).
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  const closed = new Promise<void>((resolve) => rl.once('close', resolve));
  const stop = () => rl.close();
  signal?.addEventListener('abort', stop, { once: true });
  await closed;
  signal?.removeEventListener('abort', stop);
  setPrompt(() => {});
  if (!signal?.aborted) await orAbort(engine.idle(), signal);
}

/** Waits for `work`, or only until `signal` aborts: shutdown must not wait for a 5-minute turn. */
function orAbort(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
