import type { RecordedCall } from '../fakes/telegram/server.ts';
import type { FaultChat } from './chat.ts';
import type { World } from './world.ts';

// Named moments of an export, seen from the fakes' side (the bot has no hooks): `arm` calls `fire` the moment
// the fakes observe it — synchronously inside the fake's answer where it can, so a SIGKILL lands right there.

export type Moment =
  /** The fake Bot API has just handed out the Export tap (before the bot could store the job). */
  | 'update'
  /** NemoVideo has accepted the render (the charge), the bot may not have read the answer yet. */
  | 'render-create'
  /** The render is being polled (not finished). */
  | 'mid-poll'
  /** Telegram answered the `upload_video` chat action: the upload is about to start. */
  | 'chat-action'
  /** Telegram has part of the sendVideo body and holds the request (never answered). */
  | 'mid-upload'
  /** The video is in the chat and the bot has moved on to its next call. */
  | 'after-post';

export const MOMENTS: Moment[] = [
  'update',
  'render-create',
  'mid-poll',
  'chat-action',
  'mid-upload',
  'after-post',
];

/** Bytes of the sendVideo body the fake reads before it holds the request (the MP4 is padded past it). */
export const UPLOAD_HOLD_BYTES = 64 * 1024;

const forChat = (chat: FaultChat) => (c: RecordedCall) => c.params.chat_id === chat.id;

function pressedExport(call: RecordedCall, chat: FaultChat): boolean {
  if (call.method !== 'getUpdates' || !Array.isArray(call.result)) return false;
  return (call.result as Array<{ callback_query?: { data?: string; from?: { id: number } } }>).some(
    (u) =>
      (u.callback_query?.data === 'export' || u.callback_query?.data?.startsWith('export|') === true) &&
      u.callback_query.from?.id === chat.user.id,
  );
}

/** Resolves once `moment` happened for `chat` and `fire` ran (after `delayMs`, 0 = synchronously). */
export function arm(
  world: World,
  chat: FaultChat,
  moment: Moment,
  fire: () => void,
  delayMs = 0,
): { fired: Promise<void>; disarm(): void } {
  const { tg, nemo } = world;
  let cleanup = () => {};
  let done = false;
  const fired = new Promise<void>((resolve) => {
    const go = () => {
      if (done) return;
      done = true;
      cleanup();
      const run = () => {
        fire();
        resolve();
      };
      if (delayMs > 0) setTimeout(run, delayMs);
      else run();
    };
    const onAnswer = (when: (c: RecordedCall) => boolean) => {
      cleanup = tg.faults.onAnswered((c) => {
        if (when(c)) go();
      });
    };
    const poll = (when: () => boolean) => {
      const timer = setInterval(() => {
        if (when()) go();
      }, 2);
      cleanup = () => clearInterval(timer);
    };
    const renders = () => nemo.renders().filter((r) => chat.sessions().has(r.sessionId));
    switch (moment) {
      case 'update':
        return onAnswer((c) => pressedExport(c, chat));
      case 'render-create': {
        const before = renders().length;
        return poll(() => renders().length > before);
      }
      case 'mid-poll':
        return poll(() => renders().some((r) => r.polls >= 1));
      case 'chat-action':
        return onAnswer(
          (c) => forChat(chat)(c) && c.method === 'sendChatAction' && c.params.action === 'upload_video',
        );
      case 'mid-upload':
        void tg.faults.hold('sendVideo', { afterBytes: UPLOAD_HOLD_BYTES }).then(go);
        return;
      case 'after-post': {
        let posted = false;
        return onAnswer((c) => {
          if (!forChat(chat)(c) || c.method === 'sendChatAction') return false;
          if (posted) return true;
          posted = c.method === 'sendVideo' && c.status === 200;
          return false;
        });
      }
    }
  });
  return {
    fired,
    disarm: () => {
      done = true;
      cleanup();
    },
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same kill times. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The suite's seed: FAULTS_SEED, else a fresh one (printed by every scenario that uses it). */
export const SEED = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
