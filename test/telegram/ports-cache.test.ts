// The Telegram adapter's ports: one per chat while it is in use, at most PORTS_CACHED of them in memory.
import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { ChatPorts } from '../../src/adapters/telegram/chat-port.ts';
import { createLogger, Secrets } from '../../src/secrets.ts';

describe('ChatPorts', () => {
  it('stays bounded after 10,000 chats and hands a recent chat the same port', () => {
    const logger = createLogger({ level: 'silent', secrets: new Secrets() });
    const ports = new ChatPorts({ api: new Api('1:test'), logger, local: false, editGapMs: 1 }, 50);
    for (let i = 0; i < 10_000; i++) {
      expect(ports.get(`tg:${i}`)?.address).toBe(`tg:${i}`);
    }
    expect(ports.size).toBe(50);
    expect(ports.get('tg:9999')).toBe(ports.get('tg:9999'));
    // An evicted chat gets a new port when it is next needed.
    expect(ports.get('tg:0')?.address).toBe('tg:0');
  });
});
