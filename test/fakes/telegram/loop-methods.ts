import { fail, type MethodAnswer } from './methods.ts';
import type { TelegramState } from './state.ts';
import type { RecordedCall } from './types.ts';

// Bot API methods of the everyday loop (issue 14), answered the way the real server does: reactions
// (setMessageReaction), streamed drafts (sendMessageDraft), scoped command menus (setMyCommands / getMyCommands),
// and the check of reply_parameters every send method makes. Wording of errors as the server's where known.

const ok = (result: unknown): MethodAnswer => ({ status: 200, body: { ok: true, result } });

/** ReactionTypeEmoji's emoji: the only ones a bot may set (Bot API, ReactionTypeEmoji). */
export const REACTION_EMOJI = new Set(
  '👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡'.split(
    ' ',
  ),
);

const SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);

const exists = (state: TelegramState, chatId: number, messageId: number): boolean =>
  state.userMessages.has(`${chatId}:${messageId}`) || state.messages.has(`${chatId}:${messageId}`);

/**
 * reply_parameters of a send: the replied message must exist in that chat unless
 * allow_sending_without_reply; answers the id replied to, or the refusal.
 */
export function checkReply(
  state: TelegramState,
  p: Record<string, unknown>,
): number | MethodAnswer | undefined {
  const r = p.reply_parameters as { message_id?: unknown; allow_sending_without_reply?: unknown } | undefined;
  if (r === undefined) return undefined;
  if (typeof r !== 'object' || typeof r.message_id !== 'number')
    return fail(400, 'Bad Request: invalid reply parameters specified');
  if (exists(state, Number(p.chat_id), r.message_id)) return r.message_id;
  return r.allow_sending_without_reply === true
    ? undefined
    : fail(400, 'Bad Request: message to be replied not found');
}

function scopeKey(p: Record<string, unknown>): { scope: string; languageCode: string } | MethodAnswer {
  const scope = p.scope as { type?: unknown } | undefined;
  const type = scope === undefined ? 'default' : String(scope.type);
  if (!SCOPES.has(type)) return fail(400, 'Bad Request: BOT_COMMAND_SCOPE_INVALID');
  const languageCode = typeof p.language_code === 'string' ? p.language_code : '';
  if (languageCode && !/^[a-z]{2}$/.test(languageCode)) return fail(400, 'Bad Request: LANG_CODE_INVALID');
  return { scope: type, languageCode };
}

/** The loop's methods; undefined for a method this file does not know. */
export function callLoopMethod(state: TelegramState, call: RecordedCall): MethodAnswer | undefined {
  const p = call.params;
  switch (call.method) {
    case 'setMessageReaction': {
      const chatId = Number(p.chat_id);
      const messageId = Number(p.message_id);
      if (!exists(state, chatId, messageId)) return fail(400, 'Bad Request: MESSAGE_ID_INVALID');
      const reaction = Array.isArray(p.reaction) ? (p.reaction as Array<Record<string, unknown>>) : [];
      // Bots set at most one reaction, from the allowed emoji; chats can turn reactions off.
      if (reaction.length > 1) return fail(400, 'Bad Request: REACTIONS_TOO_MANY');
      if (reaction.some((r) => r.type !== 'emoji' || !REACTION_EMOJI.has(String(r.emoji))))
        return fail(400, 'Bad Request: REACTION_INVALID');
      if (reaction.length > 0 && state.noReactions.has(chatId))
        return fail(400, 'Bad Request: REACTION_INVALID');
      state.reactions.set(
        `${chatId}:${messageId}`,
        reaction.map((r) => String(r.emoji)),
      );
      return ok(true);
    }
    case 'sendMessageDraft': {
      const chatId = Number(p.chat_id);
      const draftId = Number(p.draft_id);
      const text = typeof p.text === 'string' ? p.text : '';
      // Drafts stream into private chats only; the exact wording of these refusals is not documented.
      if (!(chatId > 0)) return fail(400, 'Bad Request: TEXTDRAFT_PEER_INVALID');
      if (state.draftsRefused) return fail(400, 'Bad Request: method is not available for this bot');
      if (!Number.isInteger(draftId) || draftId === 0) return fail(400, 'Bad Request: DRAFT_ID_INVALID');
      if (text.length > 4096) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
      const key = `${chatId}:${draftId}`;
      state.drafts.set(key, [...(state.drafts.get(key) ?? []), text]);
      return ok(true);
    }
    case 'setMyCommands': {
      const key = scopeKey(p);
      if ('status' in key) return key;
      const commands = Array.isArray(p.commands) ? (p.commands as Array<Record<string, unknown>>) : [];
      if (commands.length > 100) return fail(400, 'Bad Request: BOT_COMMANDS_TOO_MUCH');
      if (commands.some((c) => !/^[a-z0-9_]{1,32}$/.test(String(c.command))))
        return fail(400, 'Bad Request: BOT_COMMAND_INVALID');
      if (commands.some((c) => String(c.description ?? '').length < 1 || String(c.description).length > 256))
        return fail(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      state.menus.set(`${key.scope}|${key.languageCode}`, {
        ...key,
        commands: commands.map((c) => ({ command: String(c.command), description: String(c.description) })),
      });
      return ok(true);
    }
    case 'deleteMessage': {
      const key = `${Number(p.chat_id)}:${Number(p.message_id)}`;
      if (!state.messages.delete(key) && !state.userMessages.delete(key))
        return fail(400, 'Bad Request: message to delete not found');
      return ok(true);
    }
    case 'getMyCommands': {
      const key = scopeKey(p);
      if ('status' in key) return key;
      return ok(state.menus.get(`${key.scope}|${key.languageCode}`)?.commands ?? []);
    }
    default:
      return undefined;
  }
}
