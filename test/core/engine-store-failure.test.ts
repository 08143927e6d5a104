import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/messages.en.ts';
import { zh } from '../../src/i18n/messages.zh.ts';
import type { Lease, LeaseHolder, StatePort } from '../../src/store/state.ts';
import { type Harness, harness, inbound, recordingChat } from './engine-harness.ts';

// A store that fails in the middle of a turn or an export: the chat is told (once, in its language) what was
// kept, and the work goes on where it can. Before, the error escaped the chat's task and was only logged.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const PROMPT = 'make a 30-second promo for my candle shop';

/** Our own StatePort over the real one, whose writes fail while `fails(op, key)` says so. */
class FailingState implements StatePort {
  constructor(
    private readonly real: StatePort,
    public fails: (op: string, key: string) => boolean = () => false,
  ) {}
  #check(op: string, key: string): void {
    if (this.fails(op, key)) throw new Error(`store unavailable (${op} ${key})`);
  }
  get(key: string) {
    return this.real.get(key);
  }
  async set(key: string, value: unknown, ttlMs?: number) {
    this.#check('set', key);
    return this.real.set(key, value, ttlMs);
  }
  async delete(key: string) {
    this.#check('delete', key);
    return this.real.delete(key);
  }
  async setIfAbsent(key: string, value: unknown, ttlMs: number) {
    this.#check('setIfAbsent', key);
    return this.real.setIfAbsent(key, value, ttlMs);
  }
  async addMember(key: string, member: string) {
    this.#check('addMember', key);
    return this.real.addMember(key, member);
  }
  async removeMember(key: string, member: string) {
    this.#check('removeMember', key);
    return this.real.removeMember(key, member);
  }
  members(key: string) {
    return this.real.members(key);
  }
  acquireLease(key: string, owner: string, ttlMs: number) {
    return this.real.acquireLease(key, owner, ttlMs);
  }
  renewLease(lease: Lease, ttlMs: number) {
    return this.real.renewLease(lease, ttlMs);
  }
  releaseLease(lease: Lease) {
    return this.real.releaseLease(lease);
  }
  leaseHolder(key: string) {
    return this.real.leaseHolder(key);
  }
  async reserve(key: string, amount: number, limit: number | null, ttlMs: number) {
    this.#check('reserve', key);
    return this.real.reserve(key, amount, limit, ttlMs);
  }
  counter(key: string) {
    return this.real.counter(key);
  }
  replaceLease(key: string, previous: LeaseHolder, owner: string, ttlMs: number) {
    return this.real.replaceLease(key, previous, owner, ttlMs);
  }
  async setFenced(lease: Lease, key: string, value: unknown, ttlMs?: number) {
    // A job write is fenced: it fails like a plain one.
    this.#check('set', key);
    return this.real.setFenced(lease, key, value, ttlMs);
  }
  async listPush(key: string, item: string, maxLength?: number) {
    this.#check('listPush', key);
    return this.real.listPush(key, item, maxLength);
  }
  listItems(key: string) {
    return this.real.listItems(key);
  }
  listRemove(key: string, item: string) {
    return this.real.listRemove(key, item);
  }
  publish(channel: string, message: string) {
    return this.real.publish(channel, message);
  }
  subscribe(channel: string, onMessage: (message: string) => void) {
    return this.real.subscribe(channel, onMessage);
  }
}

async function withFailingState(): Promise<FailingState> {
  let failing: FailingState | undefined;
  h = await harness({
    wrapState: (real) => {
      failing = new FailingState(real);
      return failing;
    },
  });
  if (!failing) throw new Error('no state');
  return failing;
}

describe('a store failure', () => {
  it('when the export starts: told, nothing created (no charge without a stored job)', async () => {
    const state = await withFailingState();
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    state.fails = (op, key) => op === 'set' && key.startsWith('job:');
    await h.engine.handle(inbound(chat, 'export'), chat);
    expect(chat.texts().at(-1)).toBe(en.saveFailed('export'));
    expect(h.fake.count('render')).toBe(0);
  });

  it('mid-export: told once, and the render still gets posted', async () => {
    const state = await withFailingState();
    const chat = recordingChat('term:zh');
    await h.engine.handle(inbound(chat, '给我的蜡烛店做一个30秒的宣传视频'), chat);
    // The job is stored; every later write of it fails (phases, the post attempt).
    let stored = false;
    state.fails = (op, key) => {
      if (op !== 'set' || !key.startsWith('job:')) return false;
      if (!stored) {
        stored = true;
        return false;
      }
      return true;
    };
    await h.engine.handle(inbound(chat, '导出'), chat);
    expect(chat.texts().filter((t) => t === zh.saveFailed('render'))).toHaveLength(1);
    expect(chat.log.filter((p) => p.kind === 'video')).toHaveLength(1);
    expect(h.fake.count('render')).toBe(1);
  });

  it('mid-turn: told, and the agent’s answer still arrives', async () => {
    const state = await withFailingState();
    state.fails = (op, key) => op === 'addMember' && key === 'turns:inflight';
    const chat = recordingChat();
    await h.engine.handle(inbound(chat, PROMPT), chat);
    const texts = chat.texts();
    expect(texts).toContain(en.saveFailed('turn'));
    expect(texts.some((t) => t.startsWith('Your 30-second promo is ready'))).toBe(true);
    expect(h.fake.chats).toHaveLength(1);
  });
});
