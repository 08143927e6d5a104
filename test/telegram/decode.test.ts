import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  fileOf,
  isForBot,
  parseAddress,
  parseCommand,
  pickPhoto,
  senderOf,
  targetOf,
  toAddress,
} from '../../src/adapters/telegram/decode.ts';

const bot = { id: 42, username: 'NemoVideoBot' };
const user = { id: 7, is_bot: false, first_name: 'Ann', last_name: 'Lee', language_code: 'zh-hans' };
const group = { id: -100123, type: 'supergroup' as const, title: 'Team' };

const msg = (over: Partial<Message> & Record<string, unknown>): Message =>
  ({
    message_id: 1,
    date: 1,
    chat: { id: 7, type: 'private', first_name: 'Ann' },
    from: user,
    ...over,
  }) as Message;
const cmd = (text: string) => [
  { type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]!.length },
];

describe('addresses', () => {
  it('round-trips chats and forum topics', () => {
    expect(toAddress({ chatId: -100123, topicId: 5 })).toBe('tg:-100123:5');
    expect(parseAddress('tg:-100123:5')).toEqual({ chatId: -100123, topicId: 5 });
    expect(parseAddress('tg:7')).toEqual({ chatId: 7 });
    expect(parseAddress('dc:7')).toBeUndefined();
  });

  it('treats only topic messages as their own chat', () => {
    expect(targetOf(msg({ chat: group, message_thread_id: 5, is_topic_message: true }))).toEqual({
      chatId: -100123,
      topicId: 5,
    });
    expect(targetOf(msg({ chat: group, message_thread_id: 5 }))).toEqual({ chatId: -100123 });
  });
});

describe('parseCommand', () => {
  it('reads /command@bot arg', () => {
    const text = '/lang@NemoVideoBot zh';
    expect(parseCommand(text, cmd(text), bot)).toEqual({ kind: 'ours', name: 'lang', arg: 'zh' });
  });
  it('ignores commands for another bot and marks unknown ones', () => {
    expect(parseCommand('/start@OtherBot', cmd('/start@OtherBot'), bot)).toEqual({ kind: 'foreign' });
    expect(parseCommand('/dance', cmd('/dance'), bot)).toEqual({ kind: 'unknown' });
    expect(parseCommand('export', undefined, bot)).toBeUndefined();
  });
});

describe('isForBot', () => {
  it('answers everything in private chats', () => {
    expect(isForBot(msg({ text: 'hi' }), bot)).toBe(true);
  });
  it('in groups answers commands, mentions and replies to the bot only', () => {
    expect(isForBot(msg({ chat: group, text: 'hi all' }), bot)).toBe(false);
    expect(isForBot(msg({ chat: group, text: '/credits', entities: cmd('/credits') }), bot)).toBe(true);
    const mention = '@nemovideobot make it blue';
    expect(
      isForBot(
        msg({ chat: group, text: mention, entities: [{ type: 'mention', offset: 0, length: 13 }] }),
        bot,
      ),
    ).toBe(true);
    const reply = { message_id: 9, date: 1, chat: group, from: { id: 42, is_bot: true, first_name: 'Nemo' } };
    expect(isForBot(msg({ chat: group, text: 'shorter', reply_to_message: reply as never }), bot)).toBe(true);
  });
  it('does not take a forum topic service message for a reply to the bot', () => {
    const service = { message_id: 5, date: 1, chat: group, from: { id: 42 }, forum_topic_created: {} };
    expect(isForBot(msg({ chat: group, text: 'hi', reply_to_message: service as never }), bot)).toBe(false);
  });
});

describe('senderOf', () => {
  it('carries the Telegram locale and is admin in private chats without asking', async () => {
    const asked: Array<[number, number]> = [];
    const ask = async (chatId: number, userId: number) => {
      asked.push([chatId, userId]);
      return chatId === group.id && userId === 8;
    };
    const own = senderOf(msg({ text: 'x' }), ask);
    expect(own).toMatchObject({ id: '7', displayName: 'Ann Lee', locale: 'zh-hans' });
    expect(await own.isAdmin()).toBe(true);
    expect(asked).toEqual([]);
  });

  it('in a group asks Telegram only when the core asks, and once per message', async () => {
    const asked: Array<[number, number]> = [];
    const ask = async (chatId: number, userId: number) => {
      asked.push([chatId, userId]);
      return userId === 8;
    };
    const member = senderOf(msg({ chat: group, text: 'x' }), ask);
    const admin = senderOf(msg({ chat: group, text: 'x', from: { ...user, id: 8 } }), ask);
    expect(asked).toEqual([]);
    expect(await member.isAdmin()).toBe(false);
    expect(await admin.isAdmin()).toBe(true);
    expect(await admin.isAdmin()).toBe(true);
    expect(asked).toEqual([
      [group.id, 7],
      [group.id, 8],
    ]);
  });

  it('an anonymous admin (posting as the group) is an admin without asking', async () => {
    const ask = async () => {
      throw new Error('must not ask');
    };
    const anon = senderOf(msg({ chat: group, text: 'x', sender_chat: group as never }), ask);
    expect(await anon.isAdmin()).toBe(true);
  });
});

describe('files', () => {
  const sizes = [
    { file_id: 's', file_unique_id: 'us', width: 90, height: 90, file_size: 1_000 },
    { file_id: 'm', file_unique_id: 'um', width: 800, height: 800, file_size: 100_000 },
    { file_id: 'l', file_unique_id: 'ul', width: 2560, height: 2560, file_size: 30_000_000 },
  ];
  it('picks the largest photo size within the limit', () => {
    expect(pickPhoto(sizes, 20 * 1024 * 1024)?.file_id).toBe('m');
    expect(fileOf(msg({ photo: sizes }), 20 * 1024 * 1024)).toMatchObject({
      fileId: 'm',
      mimeType: 'image/jpeg',
      size: 100_000,
    });
  });
  it('names documents by their file name', () => {
    const document = {
      file_id: 'd',
      file_unique_id: 'ud',
      file_name: 'clip.mov',
      mime_type: 'video/quicktime',
    };
    expect(fileOf(msg({ document }), 1)).toEqual({
      fileId: 'd',
      name: 'clip.mov',
      mimeType: 'video/quicktime',
    });
    expect(fileOf(msg({ sticker: { file_id: 'x' } as never }), 1)).toBeUndefined();
  });
});
