import { createInterface } from 'node:readline';
import type { Config } from '../../config.ts';
import { chooseLang } from '../../core/language.ts';
import type { ChatPort, Engine } from '../../core/ports.ts';
import { messages } from '../../i18n/index.ts';
import type { Logger } from '../../secrets.ts';
import { parseLine, TERMINAL_ADDRESS } from './inbound.ts';
import type { HumanLog } from './log-lines.ts';
import { createTerminalPort, type TerminalPort } from './port.ts';
import { plainScreen, type Screen, type TtyScreen, ttyScreen } from './screen.ts';

export { mimeFromName, parseLine, TERMINAL_ADDRESS } from './inbound.ts';
export { type HumanLog, humanLine, humanLog } from './log-lines.ts';
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
  /** Logs shown as short lines on this screen (stderr is the same TTY); see log-lines.ts. */
  logs?: HumanLog;
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
  if (tty) await runInteractive(options, chat, tty);
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

/**
 * A person: lines are handled without blocking the input (the engine queues a prompt behind a running turn).
 * The `> ` prompt shows only when the bot waits for the user: while work runs, bot output redraws just what
 * the user is typing. A first Ctrl+C while work runs says what quitting costs; a second one quits.
 */
async function runInteractive(options: TerminalOptions, chat: TerminalPort, tty: TtyScreen): Promise<void> {
  const { engine, signal, config } = options;
  const rl = createInterface({ input: options.input, output: options.output, terminal: true });
  let pending = 0;
  let warned = false;
  const working = () => engine.working(TERMINAL_ADDRESS) ?? (pending > 0 ? 'turn' : undefined);
  const redraw = () => {
    rl.setPrompt(working() ? '' : '> ');
    rl.prompt(true);
  };
  tty.setPrompt(redraw);
  options.logs?.attach((line) => tty.print(line));
  // Before any message there is nothing to choose a language from but the core's default.
  tty.print(messages(chooseLang({})).terminalWelcome);
  rl.on('line', (line) => {
    tty.userLine();
    warned = false;
    pending++;
    redraw();
    void handleLine(engine, chat, line).finally(() => {
      pending--;
      redraw();
    });
  });
  rl.on('SIGINT', () => {
    const work = working();
    if (work && !warned) {
      warned = true;
      tty.print(messages(chat.lang).quitWhileWorking(work, !config.STORE_URL.startsWith('memory:')));
      return;
    }
    // Readline swallows Ctrl+C; hand it to main's SIGINT handler (stop, persist, exit).
    process.kill(process.pid, 'SIGINT');
  });
  const closed = new Promise<void>((resolve) => rl.once('close', resolve));
  const stop = () => rl.close();
  signal?.addEventListener('abort', stop, { once: true });
  await closed;
  signal?.removeEventListener('abort', stop);
  tty.setPrompt(() => {});
  options.logs?.attach(undefined);
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
