// `/token`: a chat brings its own NemoVideo account. In a private chat the user's token becomes that chat's;
// in a group only its admins link one: on Discord through a modal (the text never shows in the channel), on
// Telegram by sending /token in the group first and then the token in a private chat within 10 minutes.
// A token typed where others could read it is refused (and the adapter deletes the message where it can).
// A token is checked with a credits call before it is stored; every answer about tokens is private.

import { type AccountKind, teamMessages } from '../../i18n/team.ts';
import { isNemoError } from '../../nemo/errors.ts';
import type { ChatCtx } from '../context.ts';
import type { ChatAddress, InboundMessage } from '../ports.ts';
import type { TeamCore } from './core.ts';
import { chatOf, isChatAdmin, type Who } from './who.ts';

export const LINK_WAIT_MS = 10 * 60_000;
const CLEAR = new Set(['clear', 'remove', 'off', '清除', '移除']);
const pendingKey = (user: string) => `team:token-link:${user}`;

interface Pending {
  address: ChatAddress;
}

export async function token(
  team: TeamCore,
  ctx: ChatCtx,
  who: Who,
  msg: InboundMessage,
  arg: string | undefined,
) {
  const t = teamMessages(ctx.lang);
  const say = (text: string) => ctx.say({ text, private: true });
  const vault = team.vault;
  const text = (arg ?? '').trim();
  if (!vault) return void (await say(t.tokenNoKey));
  if (text === '') {
    const linked = await vault.info(who.chat);
    const kind: AccountKind = linked ? 'own' : team.config.NEMO_TOKEN ? 'operator' : 'trial';
    if (!who.private && who.platform === 'telegram' && (await isChatAdmin(who))) {
      await team.state.set(pendingKey(who.user), { address: who.address } satisfies Pending, LINK_WAIT_MS);
      return void (await say(
        `${t.tokenStatus(kind, linked?.by)}\n${t.tokenLinkPending(LINK_WAIT_MS / 60_000)}`,
      ));
    }
    return void (await say(`${t.tokenStatus(kind, linked?.by)}\n${t.tokenHowTo(who.platform)}`));
  }
  if (CLEAR.has(text.toLowerCase())) {
    if (!who.private && !(await isChatAdmin(who))) return void (await say(t.tokenAdminsOnly));
    const had = await vault.clear(who.chat);
    if (had) {
      await resetSession(ctx, who.address);
      await team.note({ by: who.user, action: 'token-clear', target: who.chat });
    }
    return void (await say(had ? t.tokenCleared : t.tokenNone));
  }
  // From here on `text` is a token: registered until this command is done (and for good once linked).
  const scope = team.secrets.scope();
  scope.add(text);
  try {
    if (!who.private && !msg.concealed) {
      await team.note({ by: who.user, action: 'token-exposed', target: who.chat });
      return void (await say(t.tokenExposed));
    }
    if (!/^\S{16,512}$/.test(text)) return void (await say(t.tokenMalformed));
    let target: ChatAddress = who.address;
    if (who.private) {
      const pending = (await team.state.get(pendingKey(who.user))) as Pending | undefined;
      if (pending) target = pending.address;
    } else if (!(await isChatAdmin(who))) {
      return void (await say(t.tokenAdminsOnly));
    }
    try {
      await team.nemo
        .account({ kind: 'operator', token: text }, { platform: ctx.platform, secrets: scope })
        .credits(ctx.core.shutdown);
    } catch (e) {
      if (isNemoError(e, 'token_invalid')) return void (await say(t.tokenInvalid));
      // Out of credits is an answer about a real account: the token is right (and the user will see 2001).
      if (!isNemoError(e, 'no_credits')) {
        ctx.log.warn({ code: isNemoError(e) ? e.code : undefined }, 'token check failed');
        return void (await say(t.tokenCheckFailed));
      }
    }
    const chat = chatOf(target);
    await vault.link(chat, text, who.user, team.now());
    await team.state.delete(pendingKey(who.user));
    await resetSession(ctx, target);
    await team.note({ by: who.user, action: 'token-link', target: chat });
    await say(t.tokenLinked(target === who.address && who.private ? 'private' : 'group'));
    if (target !== who.address) {
      // The group learns that its work now runs on someone's own account (never the token).
      const port = ctx.core.resolvers.get(target.split(':')[0] ?? '')?.(target);
      await port?.send({ text: t.tokenLinkedNotice(who.name), lang: ctx.lang }).catch(() => {});
    }
  } finally {
    scope.clear();
  }
}

/** A new account cannot open the old account's project: the chat's next message starts a new one. */
async function resetSession(ctx: ChatCtx, address: ChatAddress): Promise<void> {
  await ctx.core.sessions.update(address, (r) => {
    delete r.sessionId;
    delete r.taskId;
    delete r.sessionLang;
  });
}
