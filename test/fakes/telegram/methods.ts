import type { SentMessage, TelegramState } from './state.ts';
import type { RecordedCall } from './types.ts';

// The Bot API methods the adapter uses (getUpdates lives in server.ts: it holds the request).
// Errors use the real server's wording, because grammY and the adapter match on it.

export interface MethodAnswer {
  status: number;
  body: unknown;
}

const ok = (result: unknown): MethodAnswer => ({ status: 200, body: { ok: true, result } });
export const fail = (status: number, description: string, parameters?: object): MethodAnswer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_UPLOAD = 50 * 1024 * 1024;

function messageJson(state: TelegramState, m: SentMessage): Record<string, unknown> {
  const chat = state.chats.get(m.chatId) ?? { id: m.chatId, type: m.chatId > 0 ? 'private' : 'supergroup' };
  return {
    message_id: m.messageId,
    date: Math.floor(Date.now() / 1000),
    chat,
    from: state.bot,
    ...(m.threadId !== undefined ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
    ...(m.replyMarkup !== undefined ? { reply_markup: m.replyMarkup } : {}),
  };
}

function store(
  state: TelegramState,
  p: Record<string, unknown>,
  m: Omit<SentMessage, 'messageId' | 'chatId'>,
) {
  const chatId = Number(p.chat_id);
  const sent: SentMessage = { ...m, chatId, messageId: state.nextMessageId(chatId) };
  if (typeof p.message_thread_id === 'number') sent.threadId = p.message_thread_id;
  if (p.reply_markup !== undefined) sent.replyMarkup = p.reply_markup;
  state.messages.set(`${chatId}:${sent.messageId}`, sent);
  return messageJson(state, sent);
}

function sendMedia(
  state: TelegramState,
  call: RecordedCall,
  field: 'video' | 'document' | 'photo',
): MethodAnswer {
  const p = call.params;
  const caption = typeof p.caption === 'string' ? p.caption : undefined;
  if (caption && caption.length > MAX_CAPTION) return fail(400, 'Bad Request: message caption is too long');
  const file = call.files[field];
  if (!file && typeof p[field] !== 'string')
    return fail(400, `Bad Request: there is no ${field} in the request`);
  if (file && file.bytes.length > MAX_UPLOAD) return fail(413, 'Request Entity Too Large');
  const message = store(state, p, { kind: field, ...(caption !== undefined ? { caption } : {}) });
  const stored = state.addFile(file?.bytes.length ?? 0, file?.bytes, field === 'photo' ? 'jpg' : 'mp4');
  const media = { file_id: stored.fileId, file_unique_id: stored.uniqueId, file_size: stored.size };
  if (field === 'video') {
    message.video = {
      ...media,
      width: 1080,
      height: 1920,
      duration: Number(p.duration ?? 0),
      mime_type: 'video/mp4',
    };
  } else if (field === 'photo') message.photo = [{ ...media, width: 8, height: 8 }];
  else message.document = { ...media, file_name: file?.filename ?? 'file' };
  return ok(message);
}

const SENDING = new Set(['sendMessage', 'sendVideo', 'sendDocument', 'sendPhoto', 'sendChatAction']);

/**
 * A user's private chat has the user's id (positive). Telegram lets a bot write there only after the user
 * pressed Start (here: `privateChat(user)`) and until the user blocks it.
 */
function privateRefusal(state: TelegramState, p: Record<string, unknown>): MethodAnswer | undefined {
  const chatId = Number(p.chat_id);
  if (!(chatId > 0)) return undefined;
  if (state.blocked.has(chatId)) return fail(403, 'Forbidden: bot was blocked by the user');
  if (state.chats.get(chatId)?.type !== 'private')
    return fail(403, "Forbidden: bot can't initiate conversation with a user");
  return undefined;
}

export function callMethod(state: TelegramState, call: RecordedCall): MethodAnswer {
  const p = call.params;
  const refused = SENDING.has(call.method) ? privateRefusal(state, p) : undefined;
  if (refused) return refused;
  switch (call.method) {
    case 'getMe':
      return ok({
        ...state.bot,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      });
    case 'sendMessage': {
      const text = typeof p.text === 'string' ? p.text : '';
      if (text.trim() === '') return fail(400, 'Bad Request: message text is empty');
      if (text.length > MAX_TEXT) return fail(400, 'Bad Request: message is too long');
      return ok(store(state, p, { kind: 'text', text }));
    }
    case 'editMessageText': {
      const m = state.messages.get(`${Number(p.chat_id)}:${Number(p.message_id)}`);
      if (!m) return fail(400, 'Bad Request: message to edit not found');
      const text = String(p.text ?? '');
      if (text.length > MAX_TEXT) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
      if (m.text === text && JSON.stringify(m.replyMarkup) === JSON.stringify(p.reply_markup)) {
        return fail(
          400,
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      m.text = text;
      if (p.reply_markup === undefined) delete m.replyMarkup;
      else m.replyMarkup = p.reply_markup;
      return ok(messageJson(state, m));
    }
    case 'sendVideo':
      return sendMedia(state, call, 'video');
    case 'sendDocument':
      return sendMedia(state, call, 'document');
    case 'sendPhoto':
      return sendMedia(state, call, 'photo');
    case 'getFile': {
      const f = state.files.get(String(p.file_id));
      if (!f) return fail(400, 'Bad Request: invalid file_id');
      if (f.size > state.options.maxDownloadBytes) return fail(400, 'Bad Request: file is too big');
      return ok({ file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.size, file_path: f.path });
    }
    case 'getChatMember': {
      const status = state.members.get(`${Number(p.chat_id)}:${Number(p.user_id)}`) ?? 'member';
      return ok({ status, user: { id: Number(p.user_id), is_bot: false, first_name: 'User' } });
    }
    case 'setWebhook': {
      const url = String(p.url ?? '');
      if (url === '') return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      state.webhook = { url, ...(typeof p.secret_token === 'string' ? { secret: p.secret_token } : {}) };
      return ok(true);
    }
    case 'deleteWebhook':
      state.webhook = undefined;
      if (p.drop_pending_updates === true) state.updates.splice(0);
      return ok(true);
    case 'getWebhookInfo':
      return ok({
        url: state.webhook?.url ?? '',
        pending_update_count: state.updates.length,
        has_custom_certificate: false,
      });
    case 'setMyCommands': {
      const commands = Array.isArray(p.commands) ? (p.commands as Array<Record<string, unknown>>) : [];
      if (commands.some((c) => !/^[a-z0-9_]{1,32}$/.test(String(c.command)))) {
        return fail(400, 'Bad Request: BOT_COMMAND_INVALID');
      }
      const bad = commands.some(
        (c) => String(c.description ?? '').length < 1 || String(c.description).length > 256,
      );
      return bad ? fail(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID') : ok(true);
    }
    case 'sendChatAction':
    case 'answerCallbackQuery':
    case 'deleteMyCommands':
      return ok(true);
    default:
      return fail(404, 'Not Found');
  }
}
