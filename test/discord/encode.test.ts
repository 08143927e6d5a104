import { describe, expect, test } from 'vitest';
import { SLASH_COMMANDS } from '../../src/adapters/discord/commands.ts';
import {
  allowedMentions,
  buttonAction,
  buttonRow,
  clip,
  formatAddress,
  parseAddress,
  postChannel,
  splitText,
} from '../../src/adapters/discord/encode.ts';
import { COMMAND_TABLE, describeCommand } from '../../src/i18n/commands.ts';

describe('addresses', () => {
  test('a channel and a thread round-trip; others are not ours', () => {
    expect(parseAddress('dc:123')).toEqual({ channelId: '123' });
    expect(parseAddress(formatAddress({ channelId: '1', threadId: '2' }))).toEqual({
      channelId: '1',
      threadId: '2',
    });
    expect(postChannel({ channelId: '1', threadId: '2' })).toBe('2');
    expect(parseAddress('tg:123')).toBeUndefined();
    expect(parseAddress('dc:abc')).toBeUndefined();
  });
});

describe('splitText', () => {
  test('short text stays whole; an empty text (also once cleaned) gives no part to send', () => {
    expect(splitText('hi')).toEqual(['hi']);
    expect(splitText('')).toEqual([]);
    expect(splitText('\x00\x1b[2J ')).toEqual([]);
  });
  test('control characters and bidi overrides are removed; mentions stay as text', () => {
    expect(splitText('@everyone \u202e<@&1> <@2>\x07')).toEqual(['@everyone <@&1> <@2>']);
  });
  test('prefers line breaks, then spaces, and never exceeds the limit', () => {
    const text = `${'a'.repeat(1500)}\n${'b'.repeat(1500)}`;
    expect(splitText(text)).toEqual(['a'.repeat(1500), 'b'.repeat(1500)]);
    const words = 'word '.repeat(1000).trim();
    const parts = splitText(words);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    expect(parts.join(' ')).toBe(words);
  });
  test('a long run without spaces is cut hard, but not inside a surrogate pair', () => {
    const emoji = '😀'.repeat(1500); // 3000 code units
    const parts = splitText(emoji);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.length % 2).toBe(0);
    }
  });
  test('clip keeps edits within the limit, cleaned', () => {
    expect(clip('x'.repeat(2500))).toHaveLength(2000);
    expect(clip('short')).toBe('short');
    expect(clip('\x1b]0;title\x07short')).toBe('short');
  });
  test('allowed mentions: nobody, or only the user a late result is for', () => {
    expect(allowedMentions()).toEqual({ parse: [] });
    expect(allowedMentions('42')).toEqual({ parse: [], users: ['42'] });
  });
});

describe('buttons', () => {
  test('labels follow the language and custom ids round-trip', () => {
    const [row] = buttonRow(['export', 'credits'], 'zh');
    expect(row?.components.map((b) => b.label)).toEqual(['导出', '积分']);
    expect(row?.components.map((b) => buttonAction(b.custom_id))).toEqual(['export', 'credits']);
    expect(buttonRow(undefined, 'en')).toEqual([]);
    expect(buttonAction('other:thing')).toBeUndefined();
  });
});

describe('commands and attachments', () => {
  test('every command and option has a zh-CN name and description within Discord limits', () => {
    const all = SLASH_COMMANDS.flatMap((c) => [c, ...(c.options as typeof SLASH_COMMANDS)]);
    for (const c of all) {
      expect(c.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(c.name_localizations['zh-CN']).toBeTruthy();
      expect(c.description.length).toBeLessThanOrEqual(100);
      expect(c.description_localizations['zh-CN'].length).toBeLessThanOrEqual(100);
    }
  });
  test('every command of the table is a slash command, named and described by the table', () => {
    for (const c of COMMAND_TABLE) {
      const def = SLASH_COMMANDS.find((d) => d.name === c.name);
      expect(def, c.name).toMatchObject({
        name_localizations: { 'zh-CN': c.zh },
        description: describeCommand(c, 'en'),
        description_localizations: { 'zh-CN': describeCommand(c, 'zh') },
      });
    }
    // Besides the table: only /video, Discord's way to send a prompt with files.
    expect(SLASH_COMMANDS.map((d) => d.name).sort()).toEqual(
      [...COMMAND_TABLE.map((c) => c.name), 'video'].sort(),
    );
  });
});
