import {
  channelPayload,
  dmChannelId,
  dmChannelPayload,
  messagePayload,
  snowflake,
  userPayload,
} from './payloads.ts';
import type { DiscordState } from './state.ts';
import type { FakeInteraction, FakeMessage, RecordedFile } from './types.ts';

// The REST routes (below /api/v10) the bot uses, answered like Discord does: bot-token auth, interaction
// callbacks within the 3-second window, webhook tokens that expire, multipart files, errors with codes.

export interface RestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  body: unknown;
  files: RecordedFile[];
  gatewayUrl: string;
}

export interface RestAnswer {
  status: number;
  body?: unknown;
}

const err = (status: number, code: number, message: string): RestAnswer => ({
  status,
  body: { message, code },
});
const UNAUTHORIZED = err(401, 0, '401: Unauthorized');
const INVALID_WEBHOOK_TOKEN = err(401, 50027, 'Invalid Webhook Token');
const UNKNOWN_MESSAGE = err(404, 10008, 'Unknown Message');
const UNKNOWN_CHANNEL = err(404, 10003, 'Unknown Channel');
const EMPTY_MESSAGE = err(400, 50006, 'Cannot send an empty message');
const CANNOT_MESSAGE = err(403, 50007, 'Cannot send messages to this user');
const TOO_LONG = err(400, 50035, 'Invalid Form Body: content: Must be 2000 or fewer in length.');

type Body = Record<string, unknown>;
const asBody = (b: unknown): Body => (b && typeof b === 'object' ? (b as Body) : {});

export function handleRest(state: DiscordState, req: RestRequest): RestAnswer {
  const { method, path } = req;
  const parts = path.split('/').filter(Boolean);
  const body = asBody(req.body);
  const botAuth = req.auth === `Bot ${state.options.token}`;

  // Webhook-token routes: no bot auth (discord.js sends them with auth: false).
  if (parts[0] === 'interactions' && parts[3] === 'callback' && method === 'POST') {
    return callback(state, parts[1] ?? '', parts[2] ?? '', body, req.files);
  }
  if (parts[0] === 'webhooks' && parts[1] === state.options.applicationId && parts[2]) {
    return webhook(state, method, parts[2], parts.slice(3), body, req.files);
  }

  if (!botAuth) return UNAUTHORIZED;
  const app = state.options.applicationId;
  const route = `${method} ${path}`;
  if (route === 'GET /gateway/bot')
    return {
      status: 200,
      body: {
        url: req.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      },
    };
  if (route === 'GET /gateway') return { status: 200, body: { url: req.gatewayUrl } };
  if (route === 'GET /users/@me') return { status: 200, body: userPayload(state.options.bot) };
  if (route === 'POST /users/@me/channels') return openDm(state, body);
  if (route === 'GET /applications/@me')
    return { status: 200, body: { id: app, name: state.options.bot.username, bot_public: true, flags: 0 } };
  if (method === 'PUT' && parts[0] === 'applications' && parts[1] === app && parts.at(-1) === 'commands') {
    const scope = parts[2] === 'guilds' ? (parts[3] ?? '') : 'global';
    const list = (Array.isArray(req.body) ? req.body : []).map((c: Body) => ({
      ...c,
      id: snowflake(),
      application_id: app,
      version: snowflake(),
      type: c.type ?? 1,
      ...(scope === 'global' ? {} : { guild_id: scope }),
    }));
    state.commands.set(scope, list);
    state.changed();
    return { status: 200, body: list };
  }
  if (parts[0] === 'channels' && parts[1]) return channel(state, method, parts[1], parts.slice(2), body, req);
  return { status: 404, body: { message: '404: Not Found', code: 0 } };
}

function channel(
  state: DiscordState,
  method: string,
  channelId: string,
  rest: string[],
  body: Body,
  req: RestRequest,
): RestAnswer {
  if (!state.knownChannel(channelId)) return UNKNOWN_CHANNEL;
  const guildId = state.guildOf(channelId);
  if (method === 'GET' && rest.length === 0) {
    const found = state.channel(channelId);
    const dm = state.dms.get(channelId);
    if (found) return { status: 200, body: channelPayload(found.channel, found.guildId) };
    if (dm) return { status: 200, body: dmChannelPayload(channelId, dm) };
  }
  if (method === 'POST' && rest[0] === 'typing' && rest.length === 1) return { status: 204 };
  if (rest[0] !== 'messages') return { status: 404, body: { message: '404: Not Found', code: 0 } };
  if (method === 'POST' && rest.length === 1) {
    if (state.dms.get(channelId)?.dmsClosed) return CANNOT_MESSAGE;
    const invalid = checkContent(body, req.files);
    if (invalid) return invalid;
    const again = repeatedNonce(state, channelId, body);
    if (again) return { status: 200, body: messagePayload(again, state.options.bot, guildId) };
    const m = state.addMessage({
      channelId,
      content: String(body.content ?? ''),
      components: (body.components as unknown[]) ?? [],
      files: req.files,
      authorId: state.options.bot.id,
    });
    if (body.enforce_nonce === true && body.nonce !== undefined) m.nonce = String(body.nonce);
    return { status: 200, body: messagePayload(m, state.options.bot, guildId) };
  }
  const m = state.messages.find((x) => x.id === rest[1] && x.channelId === channelId && !x.deleted);
  if (!m) return UNKNOWN_MESSAGE;
  // Interaction replies are owned by the application's webhook: the channel route cannot edit them.
  if (m.interactionId && method === 'PATCH')
    return err(403, 50005, 'Cannot edit a message authored by another user');
  if (method === 'PATCH' && rest.length === 2) {
    if (typeof body.content === 'string' && body.content.length > 2000) return TOO_LONG;
    state.editMessage(m, body, req.files);
    return { status: 200, body: messagePayload(m, state.options.bot, guildId) };
  }
  if (method === 'DELETE' && rest.length === 2) {
    m.deleted = true;
    state.changed();
    return { status: 204 };
  }
  return { status: 404, body: { message: '404: Not Found', code: 0 } };
}

/**
 * Create DM: `{recipient_id}` → the DM channel with that user (the same id every time). Opening it always
 * works for a known user; Discord refuses only the message posted there (50007) when the user takes no DMs.
 */
function openDm(state: DiscordState, body: Body): RestAnswer {
  const user = state.users.get(String(body.recipient_id ?? ''));
  if (!user) return err(404, 10013, 'Unknown User');
  const channelId = dmChannelId(user.id);
  state.dms.set(channelId, user);
  return { status: 200, body: dmChannelPayload(channelId, user) };
}

/** Discord's 5 minutes (an assumption: "the past few minutes"). */
const NONCE_WINDOW_MS = 5 * 60_000;

/**
 * `enforce_nonce`: a create with the nonce of a message the same author created within the window returns that
 * message, and creates nothing. (Without `enforce_nonce` the nonce dedupes nothing, as on Discord.)
 */
function repeatedNonce(state: DiscordState, channelId: string, body: Body): FakeMessage | undefined {
  if (body.enforce_nonce !== true || body.nonce === undefined) return undefined;
  const nonce = String(body.nonce);
  const since = Date.now() - (state.options.nonceWindowMs ?? NONCE_WINDOW_MS);
  return state.messages.find(
    (m) =>
      m.nonce === nonce &&
      m.channelId === channelId &&
      m.authorId === state.options.bot.id &&
      m.createdAt >= since,
  );
}

function checkContent(body: Body, files: RecordedFile[]): RestAnswer | undefined {
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > 2000) return TOO_LONG;
  if (!content && files.length === 0 && !(Array.isArray(body.components) && body.components.length > 0))
    return EMPTY_MESSAGE;
  return undefined;
}

function tooLarge(state: DiscordState, files: RecordedFile[]): RestAnswer | undefined {
  if (files.some((f) => f.bytes.length > state.options.maxUploadBytes))
    return err(413, 40005, 'Request entity too large');
  return undefined;
}

export function callback(
  state: DiscordState,
  id: string,
  token: string,
  body: Body,
  files: RecordedFile[],
): RestAnswer {
  const i = state.interactions.get(id);
  if (!i || i.token !== token) return err(404, 10062, 'Unknown interaction');
  if (i.ackedAt !== undefined) return err(400, 40060, 'Interaction has already been acknowledged.');
  const now = Date.now();
  if (now - i.dispatchedAt > state.options.ackWindowMs) return err(404, 10062, 'Unknown interaction');
  const type = Number(body.type);
  const data = asBody(body.data);
  const flags = Number(data.flags ?? 0);
  if (type === 4 || type === 5) {
    const large = tooLarge(state, files);
    if (large) return large;
    const m = state.addMessage({
      channelId: i.channelId,
      content: type === 4 ? String(data.content ?? '') : '',
      components: (data.components as unknown[]) ?? [],
      files,
      flags: type === 5 ? flags | 128 : flags,
      authorId: state.options.bot.id,
      interactionId: i.id,
      original: true,
    });
    i.originalId = m.id;
  } else if (type !== 6 && type !== 7) {
    return err(400, 50035, `Invalid Form Body: type ${type} not supported by the fake`);
  }
  i.ackedAt = now;
  i.ackType = type;
  i.ackFlags = flags;
  state.changed();
  return { status: 204 };
}

function webhook(
  state: DiscordState,
  method: string,
  token: string,
  rest: string[],
  body: Body,
  files: RecordedFile[],
): RestAnswer {
  const i = [...state.interactions.values()].find((x) => x.token === token);
  if (!i) return err(404, 10015, 'Unknown Webhook');
  if (Date.now() - i.dispatchedAt > state.options.interactionTtlMs) return INVALID_WEBHOOK_TOKEN;
  if (i.ackedAt === undefined) return err(404, 10015, 'Unknown Webhook');
  const guildId = state.guildOf(i.channelId);
  const answer = (m: FakeMessage): RestAnswer => ({
    status: 200,
    body: messagePayload(m, state.options.bot, guildId),
  });
  if (rest.length === 0 && method === 'POST') {
    const invalid = checkContent(body, files) ?? tooLarge(state, files);
    if (invalid) return invalid;
    return answer(
      state.addMessage({
        channelId: i.channelId,
        content: String(body.content ?? ''),
        components: (body.components as unknown[]) ?? [],
        files,
        flags: Number(body.flags ?? 0),
        authorId: state.options.bot.id,
        interactionId: i.id,
      }),
    );
  }
  if (rest[0] !== 'messages' || !rest[1] || rest.length !== 2) return err(404, 0, '404: Not Found');
  const target = rest[1] === '@original' ? i.originalId : rest[1];
  const m = state.messages.find((x) => x.id === target && !x.deleted);
  if (!m || (m.interactionId !== i.id && !(i.kind === 'button' && rest[1] === '@original')))
    return UNKNOWN_MESSAGE;
  if (method === 'GET') return answer(m);
  if (method === 'DELETE') {
    m.deleted = true;
    state.changed();
    return { status: 204 };
  }
  if (method === 'PATCH') {
    if (typeof body.content === 'string' && body.content.length > 2000) return TOO_LONG;
    const large = tooLarge(state, files);
    if (large) return large;
    state.editMessage(m, body, files);
    return answer(m);
  }
  return err(404, 0, '404: Not Found');
}

export type { FakeInteraction };
