// One record per chat address in the store (key `chat:<address>`): the chat's NemoVideo identity and project.
// Versioned and validated on read: a record this code cannot read (corrupt, or written by an older format)
// is replaced by a fresh one and the chat is told its earlier timeline is gone, rather than crashing on it.
// Records are cached per process (the most recently used chats) and every change is written through, one
// write at a time per chat, so a `credits` answered during a running turn cannot overwrite the turn's newer
// session id with an old copy. The client id is a secret only to the chat's account, which registers it.

import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Logger } from '../secrets.ts';
import { type LoopRecord, loopSchema } from './loop.ts';
import type { ChatAddress, Lang } from './ports.ts';

const lang = z.enum(['en', 'zh']);

const recordSchema = z.object({
  v: z.literal(1),
  address: z.string(),
  clientId: z.string().min(1),
  anon: z
    .object({
      token: z.string().optional(),
      userId: z.string().optional(),
      expiresAt: z.string().optional(),
    })
    .optional(),
  taskId: z.string().optional(),
  sessionId: z.string().optional(),
  userId: z.string().optional(),
  sessionLang: lang.optional(),
  lang: lang.optional(),
  inFlight: z.object({ text: z.string(), startedAt: z.number(), lang }).optional(),
  jobs: z.array(z.string()),
  createdAt: z.number(),
  loop: loopSchema.optional(),
});

/** The chat's anonymous trial identity (only without NEMO_TOKEN). */
export interface AnonCredentials {
  token?: string;
  userId?: string;
  expiresAt?: string;
}

export interface SessionRecord {
  v: 1;
  address: ChatAddress;
  /** X-Client-Id for anonymous tokens; persisted so a re-auth after 7 days keeps the same trial identity. */
  clientId: string;
  anon?: AnonCredentials;
  taskId?: string;
  sessionId?: string;
  /** The `anon_…` user id (registration link on 2001). */
  userId?: string;
  /** The language the NemoVideo session was created in (it keeps it). */
  sessionLang?: Lang;
  /** The chat's /lang choice. */
  lang?: Lang;
  /** The agent turn in flight: a restarted process tells the chat instead of re-sending it. */
  inFlight?: { text: string; startedAt: number; lang: Lang };
  /** Render jobs not yet posted (ids of `job:<id>`). */
  jobs: string[];
  createdAt: number;
  /** The everyday loop: brief, last requester, house defaults (src/core/loop.ts). */
  loop?: LoopRecord;
}

export type LoadState = 'ok' | 'new' | 'invalid';

const key = (address: ChatAddress): string => `chat:${address}`;

/** Copies only the defined fields (exactOptionalPropertyTypes: an optional field is absent, never undefined). */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function fromParsed(p: z.infer<typeof recordSchema>): SessionRecord {
  const r = clean({ ...p, jobs: [...p.jobs] }) as SessionRecord;
  if (p.anon) r.anon = clean(p.anon) as AnonCredentials;
  return r;
}

export interface Sessions {
  /** The chat's record (cached); `state` says whether it was found, new, or unreadable (replaced). */
  load(address: ChatAddress): Promise<{ record: SessionRecord; state: LoadState }>;
  /** Applies a change to the cached record and writes it through. */
  update(address: ChatAddress, change: (r: SessionRecord) => void): Promise<SessionRecord>;
  /** Forgets the cache (tests, and a store shared with another process). */
  forget(address: ChatAddress): void;
  /** Reads the record again into the cached object (another instance may have changed it); see `shared`. */
  refresh(address: ChatAddress): Promise<SessionRecord>;
}

/** How many chats' records stay cached; an evicted one is read again from the store. */
export const RECORDS_CACHED = 5_000;

export function createSessions(opts: {
  store: Keyv;
  logger: Logger;
  now: () => number;
  /** Several instances write records: each change is applied to a fresh read, not to a cached copy. */
  shared?: boolean;
  /** Cache size (tests). */
  max?: number;
}): Sessions {
  const { store, logger, now } = opts;
  const cache = new LRUCache<ChatAddress, Promise<{ record: SessionRecord; state: LoadState }>>({
    max: opts.max ?? RECORDS_CACHED,
  });
  /** The last write per chat, while it runs: a re-read waits for it. */
  const writes = new Map<ChatAddress, Promise<void>>();

  const fresh = (address: ChatAddress): SessionRecord => ({
    v: 1,
    address,
    clientId: randomUUID(),
    jobs: [],
    createdAt: now(),
  });

  const write = (record: SessionRecord): Promise<void> => {
    const snapshot = structuredClone(record);
    const prev = writes.get(record.address) ?? Promise.resolve();
    const next = prev
      .catch(() => {})
      .then(async () => {
        await store.set(key(record.address), snapshot);
      });
    writes.set(record.address, next);
    const forget = () => {
      if (writes.get(record.address) === next) writes.delete(record.address);
    };
    next.then(forget, forget);
    return next;
  };

  const read = async (address: ChatAddress): Promise<{ record: SessionRecord; state: LoadState }> => {
    // An evicted record may still be on its way to the store: read what it wrote, not what it replaced.
    await writes.get(address)?.catch(() => {});
    const raw: unknown = await store.get(key(address));
    if (raw === undefined || raw === null) return { record: fresh(address), state: 'new' };
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success || parsed.data.address !== address) {
      logger.warn({ address }, 'unreadable session record replaced by a fresh one');
      const record = fresh(address);
      await write(record);
      return { record, state: 'invalid' };
    }
    return { record: fromParsed(parsed.data), state: 'ok' };
  };

  return {
    async load(address) {
      const entry = cache.get(address);
      if (!entry) {
        const reading = read(address);
        cache.set(address, reading);
        reading.catch(() => {
          if (cache.peek(address) === reading) cache.delete(address);
        });
        return reading;
      }
      // Only the first reader hears that the record was new or replaced.
      const { record } = await entry;
      return { record, state: 'ok' };
    },
    async update(address, change) {
      const record = opts.shared ? await this.refresh(address) : (await this.load(address)).record;
      change(record);
      await write(record);
      return record;
    },
    forget(address) {
      cache.delete(address);
    },
    async refresh(address) {
      const entry = cache.get(address);
      if (!entry) return (await this.load(address)).record;
      const { record } = await entry;
      await writes.get(address)?.catch(() => {});
      const latest = await read(address);
      // Never written yet: the cached record (its client id may already be in use) stays.
      if (latest.state === 'new') return record;
      for (const k of Object.keys(record)) delete (record as unknown as Record<string, unknown>)[k];
      Object.assign(record, latest.record);
      return record;
    },
  };
}
