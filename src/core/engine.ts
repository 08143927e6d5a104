// The conversation core's one inbound door. It routes each message (a command, or a prompt for the agent),
// runs prompts and exports one at a time per chat in a bounded FIFO lane, answers read-only commands at
// once, and resumes what an earlier process left behind. It knows no platform: adapters give it a ChatPort.
// On a shared store (Redis) the lanes live in the store (lanes-shared.ts) and every INSTANCE_SWEEP_MS (or
// when another instance stops) it looks for work a gone instance left.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type Keyv from 'keyv';
import type { Config } from '../config.ts';
import { messages } from '../i18n/index.ts';
import type { NemoClient } from '../nemo/types.ts';
import type { Logger, Secrets } from '../secrets.ts';
import type { StatePort } from '../store/state.ts';
import { Accounts } from './account.ts';
import { loopDoor } from './actions.ts';
import { refuseMessage } from './attachments.ts';
import { type ChatCtx, type Core, errInfo, makeCtx } from './context.ts';
import { plan, runAfter, runCommand, waitsInLane } from './dispatch.ts';
import { INSTANCES_CHANNEL, Instance } from './instance.ts';
import { Jobs } from './jobs.ts';
import { type Enqueued, type Lanes, LocalLanes, Stop, stopReason, type TaskKind } from './lanes.ts';
import { SharedLanes } from './lanes-shared.ts';
import { chooseLang } from './language.ts';
import { rememberPrompt, requesterOf } from './loop.ts';
import { type MetricsPort, noopMetrics } from './metrics-port.ts';
import { endReceipt, receipt } from './notify.ts';
import {
  type Attachment,
  addressPrefix,
  type ChatAddress,
  type ChatPort,
  type Engine,
  type InboundMessage,
} from './ports.ts';
import { withSender } from './private.ts';
import { adoptLane, resumeJobs, tellInterruptedTurns } from './resume.ts';
import { createSessions } from './sessions.ts';
import { withDefaults } from './settings.ts';
import { createTeam } from './team/index.ts';
import { agentTurn } from './turn.ts';

export interface EngineDeps {
  config: Config;
  nemo: NemoClient;
  /** Chat sessions. */
  store: Keyv;
  /** Job indexes, dedupe marks (and later leases): atomic across processes. */
  state: StatePort;
  logger: Logger;
  secrets: Secrets;
  /** Serves a path on main's HTTP server (the usage export); absent in tests without one. */
  mount?: (path: string, handler: (req: IncomingMessage, res: ServerResponse) => void) => void;
  /** This process among those sharing the store (started by the caller); one process on its own otherwise. */
  instance?: Instance;
  metrics?: MetricsPort;
}

/** How long close() waits for aborted work to record itself before giving up. */
const CLOSE_GRACE_MS = 5_000;

export function createEngine(deps: EngineDeps): Engine {
  const { config, logger } = deps;
  const shutdown = new AbortController();
  const inflight = new Set<Promise<unknown>>();
  let closing = false;

  const now = Date.now;
  const metrics = deps.metrics ?? noopMetrics;
  const ownInstance = !deps.instance;
  const instance =
    deps.instance ??
    new Instance({ state: deps.state, shared: false, leaseMs: config.INSTANCE_LEASE_MS, logger, metrics });
  if (ownInstance) void instance.start(); // one process: nothing to wait for in the store
  const shared = instance.shared;
  const sessions = createSessions({ store: deps.store, logger, now, shared });
  const team = createTeam(deps);
  if (team.endpoint) deps.mount?.('/usage', team.endpoint);
  const onError = (address: ChatAddress, e: unknown) =>
    logger.error({ chat: address, err: errInfo(e) }, 'chat task failed');
  const onDepth = (address: ChatAddress, waiting: number) => metrics.queueDepth(address, waiting);
  const lanes: Lanes = shared
    ? new SharedLanes({
        state: deps.state,
        instance,
        now,
        pollMs: config.LANE_POLL_MS,
        logger,
        onError,
        onDepth,
      })
    : new LocalLanes(now, onError, onDepth);
  const core: Core = {
    ...deps,
    metrics,
    sessions,
    instance,
    lanes,
    resolvers: new Map(),
    accounts: new Accounts({
      nemo: deps.nemo,
      sessions,
      secrets: deps.secrets,
      operatorToken: config.NEMO_TOKEN,
      own: team.own,
    }),
    jobs: new Jobs({ state: deps.state, instance, sessions, logger, now, legacy: deps.store }),
    team,
    shutdown: shutdown.signal,
  };

  const track = (p: Promise<unknown>): void => {
    const settled = p.then(
      () => {},
      () => {},
    );
    inflight.add(settled);
    void settled.finally(() => inflight.delete(settled));
  };

  /**
   * Runs `task` in the chat's lane; tells the user their place, or that the queue is full. `entered` runs as
   * soon as the task has its place (the next message of the chat may then be looked at).
   */
  async function inLane(
    ctx: ChatCtx,
    kind: TaskKind,
    task: (signal: AbortSignal) => Promise<void>,
    entered: () => void = () => {},
  ): Promise<void> {
    let queued: Enqueued;
    try {
      queued = await core.lanes.enqueue(ctx.address, kind, config.QUEUE_MAX, async (signal) => {
        await adoptLane(core, ctx.chat);
        await task(signal);
        // A turn stopped before it was recorded in flight (a recorded one is told later): nothing will come
        // of it, so the user is asked to send it again. Not an export: its request is recorded before it
        // waits (told after the restart), and one stopped while finishing its messages has already posted.
        const recorded = ctx.record.inFlight !== undefined;
        if (kind === 'turn' && stopReason(signal) === 'shutdown' && !recorded)
          await ctx.say(ctx.m.shuttingDown);
      });
    } catch (e) {
      // The store is down: say so rather than go silent.
      entered();
      logger.error({ chat: ctx.address, err: errInfo(e) }, 'could not queue the message');
      await ctx.say(ctx.m.internal);
      return;
    }
    entered();
    if (queued.state === 'full') {
      await ctx.say(ctx.m.busy);
      return;
    }
    if (queued.ahead > 0) {
      // Waiting behind other work, in memory: accepted now (a re-delivered copy is not held up behind it).
      void ctx.accepted?.();
      await ctx.say(ctx.m.queued(queued.ahead));
    }
    // A prompt still waiting when the process stops was never sent: say so rather than lose it silently.
    if ((await queued.done) === 'dropped' && closing) await ctx.say(ctx.m.shuttingDown);
  }

  /**
   * Messages of one chat pass this door in arrival order, so they take their places in the lane in that order
   * (loading the chat's record is asynchronous). A message holds the door only until it has its place.
   */
  const doors = new Map<ChatAddress, Promise<void>>();
  /** Per platform prefix: resuming its pending jobs, started the moment its adapter registers. */
  const resumeGates = new Map<string, Promise<void>>();
  const resumeFor = (prefix?: string): Promise<void> =>
    (async () => {
      await tellInterruptedTurns(core, prefix);
      await resumeJobs(core, track, prefix);
    })().catch((e: unknown) => logger.error({ err: errInfo(e), prefix }, 'resuming earlier jobs failed'));

  // A shared store: look again for what gone instances left, periodically and whenever one says it stops.
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    if (closing || sweeping) return;
    sweeping = (async () => {
      for (const prefix of [...core.resolvers.keys()]) await resumeFor(prefix);
    })().finally(() => {
      sweeping = undefined;
    });
    track(sweeping);
  };
  let sweeper: NodeJS.Timeout | undefined;
  let unsubscribe: Promise<(() => Promise<void>) | undefined> = Promise.resolve(undefined);
  if (shared) {
    sweeper = setInterval(sweep, config.INSTANCE_SWEEP_MS);
    sweeper.unref();
    unsubscribe = deps.state.subscribe(INSTANCES_CHANNEL, sweep).catch((e: unknown) => {
      logger.warn({ err: errInfo(e) }, 'instance messages unavailable; sweeping on the timer only');
      return undefined;
    });
  }

  async function dispatch(msg: InboundMessage, chat: ChatPort): Promise<void> {
    const address = chat.address;
    const prev = doors.get(address);
    let open = () => {};
    const door = new Promise<void>((resolve) => {
      open = resolve;
    });
    doors.set(address, door);
    const release = () => {
      open();
      if (doors.get(address) === door) doors.delete(address);
    };
    // Once, at the first durable point (turn or job recorded, queued, answered); at the latest when done.
    let accepting: Promise<void> | undefined;
    const accept = (): Promise<void> =>
      (accepting ??= (async () => msg.accepted?.())().catch((e: unknown) =>
        logger.warn({ chat: address, err: errInfo(e) }, 'could not confirm the message'),
      ));
    try {
      await prev;
      // The platform's earlier jobs take their places first: an Export tap that arrived while the bot was down
      // must find the resumed render in its lane, not start a second one.
      await resumeGates.get(addressPrefix(address));
      if (closing) {
        const lang = chooseLang({ locale: msg.sender.locale, text: msg.text });
        await chat.send({ text: messages(lang).shuttingDown }).catch(() => {});
        return;
      }
      let loaded: Awaited<ReturnType<typeof core.sessions.load>>;
      try {
        loaded = await core.sessions.load(address);
        // Another instance may have changed the chat since this one cached it.
        if (shared && loaded.state === 'ok') await core.sessions.refresh(address);
      } catch (e) {
        // The store is down: say so rather than go silent.
        logger.error({ chat: address, err: errInfo(e) }, 'could not load the chat record');
        const lang = chooseLang({ locale: msg.sender.locale, text: msg.text });
        await chat.send({ text: messages(lang).internal }).catch(() => {});
        return;
      }
      const { record, state } = loaded;
      const lang = chooseLang({ chatChoice: record.lang, locale: msg.sender.locale, text: msg.text });
      const ctx = makeCtx(core, withSender(chat, msg), record, lang, msg.platform);
      ctx.accepted = accept;
      if (!(await team.admit(ctx, msg))) return;
      ctx.requester = requesterOf(msg);
      if (state === 'invalid') await ctx.say(ctx.m.staleRecord);
      // A file that cannot be taken (or an oversized prompt) is refused at once, before the chat's queue and
      // before any byte moves.
      const refusal = refuseMessage(ctx, msg);
      if (refusal) {
        release();
        await ctx.say({ text: refusal, ephemeral: true });
        return;
      }
      // Button presses and replies to the bot's prompts (issue 14) become plans like typed messages.
      const looped = await loopDoor(ctx, msg);
      if (looped === 'handled') return;
      const p = looped ?? plan(msg);
      if (p.kind === 'agent' || (p.kind === 'command' && waitsInLane(p.command.name)))
        void receipt(ctx, 'working');
      ctx.log.debug(
        {
          plan: p.kind,
          command: p.kind === 'command' ? p.command.name : p.kind === 'agent' ? p.after?.name : p.name,
        },
        'message',
      );
      if (p.kind === 'unknown') {
        await ctx.say(ctx.m.unknownCommand(p.name));
        return;
      }
      if (p.kind === 'command') {
        // A lane command takes its place inside runCommand; the others never wait for it.
        if (!waitsInLane(p.command.name)) release();
        await runCommand(ctx, p.command, msg.sender, inLane, release);
        if (waitsInLane(p.command.name)) await endReceipt(ctx);
        return;
      }
      const attachments: Attachment[] = msg.attachments;
      const after = p.after;
      await inLane(
        ctx,
        'turn',
        async (signal) => {
          // A typed brief that starts a project gets the chat's house defaults, visibly; a press is the bot's.
          const typed = !msg.press;
          if (typed) await rememberPrompt(ctx, p.text, ctx.requester);
          const text = typed ? await withDefaults(ctx, p.text) : p.text;
          await agentTurn(ctx, { text, attachments }, signal);
          // A file captioned "export": the same rules as a typed export, inside this turn's place in the lane.
          if (after && !signal.aborted) await runAfter(ctx, after, msg.sender, signal);
          await endReceipt(ctx, signal);
        },
        release,
      );
    } finally {
      release();
      void accept();
      await team.settle(msg);
    }
  }

  const engine: Engine = {
    handle(message, chat) {
      const p = dispatch(message, chat).catch((e: unknown) =>
        logger.error({ chat: chat.address, err: errInfo(e) }, 'handling a message failed'),
      );
      track(p);
      return p;
    },
    async langFor(address, sender) {
      const { record } = await core.sessions.load(address);
      return chooseLang({ chatChoice: record.lang, locale: sender.locale });
    },
    registerChats(prefix, resolver) {
      core.resolvers.set(prefix, resolver);
      resumeGates.set(prefix, resumeFor(prefix));
    },
    async resume() {
      await Promise.all(resumeGates.values());
      await resumeFor();
    },
    joined: (event, chat) => team.joined(event, chat),
    async idle() {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    working(address) {
      return core.lanes.runningHere(address);
    },
    async close() {
      closing = true;
      clearInterval(sweeper);
      await (await unsubscribe)?.().catch(() => {});
      shutdown.abort(new Stop('shutdown'));
      core.lanes.abortAll('shutdown');
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([engine.idle(), grace]);
      clearTimeout(timer);
      await core.lanes.close();
      if (ownInstance) await instance.stop();
    },
  };
  return engine;
}
