import type { FakeChannel, FakeGuild, FakeMessage, FakeUser } from './types.ts';

// Wire shapes (Discord API v10) of the objects the fake sends: users, members, guilds, channels, messages.
// Only the fields discord.js reads to build its structures.

const EPOCH = 1_420_070_400_000n;
let seq = 0n;

/** A snowflake with the current time in it (discord.js derives createdAt from it). */
export function snowflake(): string {
  seq = (seq + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - EPOCH) << 22n) | seq).toString();
}

export function userPayload(u: FakeUser) {
  return {
    id: u.id,
    username: u.username,
    global_name: u.globalName ?? null,
    discriminator: '0',
    avatar: null,
    bot: u.bot ?? false,
    public_flags: 0,
  };
}

export function memberPayload(u: FakeUser, permissions: bigint) {
  return {
    user: userPayload(u),
    nick: null,
    roles: [],
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    permissions: permissions.toString(),
  };
}

export function channelPayload(c: FakeChannel, guildId: string) {
  return {
    id: c.id,
    type: c.type,
    guild_id: guildId,
    name: c.name,
    position: 0,
    permission_overwrites: [],
    parent_id: c.parentId ?? null,
    nsfw: false,
    ...(c.type === 11
      ? {
          owner_id: '1',
          thread_metadata: {
            archived: false,
            auto_archive_duration: 1440,
            archive_timestamp: new Date().toISOString(),
            locked: false,
          },
          message_count: 0,
          member_count: 1,
        }
      : { topic: null, rate_limit_per_user: 0 }),
  };
}

/** The DM channel with a user: one per user, a stable id. */
export function dmChannelId(userId: string): string {
  return `5${userId.slice(1)}`;
}

export function dmChannelPayload(id: string, user: FakeUser) {
  return { id, type: 1, recipients: [userPayload(user)], last_message_id: null };
}

export function guildPayload(g: FakeGuild, bot: FakeUser) {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: '1',
    unavailable: false,
    large: false,
    member_count: 2,
    joined_at: new Date(0).toISOString(),
    preferred_locale: 'en-US',
    features: [],
    roles: [
      {
        id: g.id,
        name: '@everyone',
        permissions: '0',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    members: [memberPayload(bot, 0n)],
    channels: g.channels.filter((c) => c.type !== 11).map((c) => channelPayload(c, g.id)),
    threads: g.channels.filter((c) => c.type === 11).map((c) => channelPayload(c, g.id)),
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    system_channel_flags: 0,
  };
}

export function messagePayload(m: FakeMessage, author: FakeUser, guildId: string | undefined) {
  return {
    id: m.id,
    type: 0,
    channel_id: m.channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    author: userPayload(author),
    content: m.content,
    timestamp: new Date(m.createdAt).toISOString(),
    edited_timestamp: m.history.length > 1 ? new Date().toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: m.files.map((f, i) => ({
      id: `${m.id}${i}`,
      filename: f.name,
      size: f.bytes.length,
      url: `https://cdn.invalid/${f.name}`,
      proxy_url: `https://cdn.invalid/${f.name}`,
      content_type: f.contentType,
    })),
    embeds: [],
    components: m.components,
    pinned: false,
    flags: m.flags,
    ...(m.interactionId ? { webhook_id: '0', application_id: '0' } : {}),
    ...(m.nonce !== undefined ? { nonce: m.nonce } : {}),
  };
}
