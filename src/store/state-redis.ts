import { closeRedis, type RedisClient } from './redis.ts';
import {
  type Lease,
  type LeaseHolder,
  type Reservation,
  type StatePort,
  toJson,
  ttl,
  whole,
} from './state.ts';

/*
 * The state port on the Redis connection the Keyv sessions use, with native commands: SET PX / SET NX PX for
 * values, SADD/SREM/SMEMBERS for sets, and three small Lua scripts for leases (Redis runs a script as one
 * step). No lock library: redlock and redis-semaphore give no fencing token, and this needs only
 * "set if free with a counter" and "compare, then extend or delete".
 *
 * Keys: `<ns>:val:<key>`, `<ns>:set:<key>`, `<ns>:list:<key>`, `<ns>:lease:<key>` (value `<token> <owner>`),
 * and one fencing counter `<ns>:fence` for every lease of the namespace (it never expires, so tokens only
 * grow); channels `<ns>:chan:<name>`. Keyv's own keys are `<ns>::<key>`, so the two never meet. One Redis
 * server (not Cluster): a script touches two keys.
 */

const ACQUIRE = `
if redis.call('exists', KEYS[1]) == 1 then return false end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
return token`;

const RENEW = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

const RESERVE = `
local used = tonumber(redis.call('get', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if amount > 0 and ARGV[2] ~= '' and used + amount > tonumber(ARGV[2]) then return {0, used} end
local n = used + amount
if n < 0 then n = 0 end
redis.call('set', KEYS[1], n, 'PX', ARGV[3])
return {1, n}`;
/** Takes a lease that is free or still held by exactly the given (dead) holder. */
const REPLACE = `
local cur = redis.call('get', KEYS[1])
if cur and cur ~= ARGV[1] then return false end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], token .. ' ' .. ARGV[2], 'PX', ARGV[3])
return token`;

const SET_FENCED = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('set', KEYS[2], ARGV[2]) else redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1`;

const LIST_PUSH = `
if ARGV[2] ~= '' and redis.call('llen', KEYS[1]) >= tonumber(ARGV[2]) then return false end
return redis.call('rpush', KEYS[1], ARGV[1])`;

export class RedisState implements StatePort {
  readonly #client: RedisClient;
  readonly #ns: string;
  /** A second connection, opened on the first subscribe: a subscribed Redis connection runs no commands. */
  #subscriber: Promise<RedisClient> | undefined;

  constructor(client: RedisClient, namespace: string) {
    this.#client = client;
    this.#ns = namespace;
  }

  async get(key: string): Promise<unknown> {
    const raw = await this.#client.get(this.#key('val', key));
    return raw === null ? undefined : JSON.parse(raw);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const json = toJson(value);
    const k = this.#key('val', key);
    if (ttlMs === undefined) await this.#client.set(k, json);
    else await this.#client.set(k, json, { expiration: { type: 'PX', value: ttl(ttlMs) } });
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#client.del(this.#key('val', key))) > 0;
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const reply = await this.#client.set(this.#key('val', key), toJson(value), {
      condition: 'NX',
      expiration: { type: 'PX', value: ttl(ttlMs) },
    });
    return reply === 'OK';
  }

  // Counters under `<ns>:cnt:<key>`: one Lua script reads, checks the limit and writes (Redis runs it as one
  // step, so reservations from every instance are serialised). ARGV: amount, limit ('' = none), ttl.
  async reserve(key: string, amount: number, limit: number | null, ttlMs: number): Promise<Reservation> {
    whole(amount, 'amount');
    if (limit !== null) whole(limit, 'limit');
    const reply = (await this.#client.eval(RESERVE, {
      keys: [this.#key('cnt', key)],
      arguments: [String(amount), limit === null ? '' : String(limit), String(ttl(ttlMs))],
    })) as [number, number];
    return { ok: reply[0] === 1, used: reply[1] };
  }

  async counter(key: string): Promise<number> {
    const raw = await this.#client.get(this.#key('cnt', key));
    return raw === null ? 0 : Number(raw);
  }

  async addMember(key: string, member: string): Promise<void> {
    await this.#client.sAdd(this.#key('set', key), member);
  }

  async removeMember(key: string, member: string): Promise<void> {
    await this.#client.sRem(this.#key('set', key), member);
  }

  async members(key: string): Promise<string[]> {
    return this.#client.sMembers(this.#key('set', key));
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const token = await this.#client.eval(ACQUIRE, {
      keys: [this.#key('lease', key), `${this.#ns}:fence`],
      arguments: [owner, String(ttl(ttlMs))],
    });
    return typeof token === 'number' ? { key, owner, token } : undefined;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    const reply = await this.#client.eval(RENEW, {
      keys: [this.#key('lease', lease.key)],
      arguments: [held(lease), String(ttl(ttlMs))],
    });
    return reply === 1;
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const reply = await this.#client.eval(RELEASE, {
      keys: [this.#key('lease', lease.key)],
      arguments: [held(lease)],
    });
    return reply === 1;
  }

  async leaseHolder(key: string): Promise<LeaseHolder | undefined> {
    const raw = await this.#client.get(this.#key('lease', key));
    if (raw === null) return undefined;
    const space = raw.indexOf(' ');
    return { token: Number(raw.slice(0, space)), owner: raw.slice(space + 1) };
  }

  async replaceLease(
    key: string,
    previous: LeaseHolder,
    owner: string,
    ttlMs: number,
  ): Promise<Lease | undefined> {
    const token = await this.#client.eval(REPLACE, {
      keys: [this.#key('lease', key), `${this.#ns}:fence`],
      arguments: [held(previous), owner, String(ttl(ttlMs))],
    });
    return typeof token === 'number' ? { key, owner, token } : undefined;
  }

  async setFenced(lease: Lease, key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const reply = await this.#client.eval(SET_FENCED, {
      keys: [this.#key('lease', lease.key), this.#key('val', key)],
      arguments: [held(lease), toJson(value), ttlMs === undefined ? '' : String(ttl(ttlMs))],
    });
    return reply === 1;
  }

  async listPush(key: string, item: string, maxLength?: number): Promise<number | undefined> {
    const max = maxLength === undefined || !Number.isFinite(maxLength) ? '' : String(Math.floor(maxLength));
    const reply = await this.#client.eval(LIST_PUSH, {
      keys: [this.#key('list', key)],
      arguments: [item, max],
    });
    return typeof reply === 'number' ? reply : undefined;
  }

  async listItems(key: string): Promise<string[]> {
    return this.#client.lRange(this.#key('list', key), 0, -1);
  }

  async listRemove(key: string, item: string): Promise<boolean> {
    return (await this.#client.lRem(this.#key('list', key), 0, item)) > 0;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#client.publish(this.#key('chan', channel), message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const sub = await this.#subscriberClient();
    const name = this.#key('chan', channel);
    const listener = (message: string) => onMessage(message);
    await sub.subscribe(name, listener);
    return async () => {
      if (sub.isReady) await sub.unsubscribe(name, listener);
    };
  }

  /** Closes the subscriber connection, if one was opened (the main one belongs to the store). */
  async close(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    const client = await sub?.catch(() => undefined);
    if (client) await closeRedis(client);
  }

  #subscriberClient(): Promise<RedisClient> {
    this.#subscriber ??= (async () => {
      const sub = this.#client.duplicate();
      // Without a listener an 'error' event would crash the process; the main client logs the outage.
      sub.on('error', () => {});
      await sub.connect();
      return sub;
    })();
    this.#subscriber.catch(() => {
      this.#subscriber = undefined;
    });
    return this.#subscriber;
  }

  #key(kind: 'val' | 'set' | 'lease' | 'cnt' | 'list' | 'chan', key: string): string {
    return `${this.#ns}:${kind}:${key}`;
  }
}

/** What the lease key holds while this acquisition has it. */
function held(lease: LeaseHolder): string {
  return `${lease.token} ${lease.owner}`;
}
