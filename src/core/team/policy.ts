// Who may use the bot (README "Teams"). Two lists: the bot's own (managed by its admins, ALLOW_LIST the
// starting value) and, per group chat, the chat's own (managed by that chat's admins). Each list allows or
// denies ids; a denial wins. The bot's list, once it allows anyone, admits only what it names (a user, their
// role or server, or the chat); a chat's list, once it allows anyone, further limits that chat to the ids it
// names and its admins. The bot's admins (ADMIN_USERS, plus run-time changes) and the terminal always pass.
//
// Stored as sets in the state port (atomic adds and removes, no read-modify-write across instances): per
// scope `allow` and `deny`, plus `unset` for starting ids removed at run time; `admins:add` / `admins:removed`
// over ADMIN_USERS. Read on every check: a change on one instance holds on all of them at once.

import type { StatePort } from '../../store/state.ts';
import type { Who } from './who.ts';

/** The terminal's user runs the bot: always an admin. */
export const TERMINAL_USER = 'term:local';

export type Verdict = { ok: true } | { ok: false; byChat: boolean };

export interface ListView {
  active: boolean;
  allow: string[];
  deny: string[];
}

const set = (scope: string, kind: 'allow' | 'deny' | 'unset') => `team:acl:${scope}:${kind}`;
const ADMINS_ADDED = 'team:admins:add';
const ADMINS_REMOVED = 'team:admins:removed';

export class Policy {
  constructor(
    private readonly state: StatePort,
    private readonly start: { admins: readonly string[]; allow: readonly string[] },
  ) {}

  async admins(): Promise<string[]> {
    const [added, removed] = await Promise.all([
      this.state.members(ADMINS_ADDED),
      this.state.members(ADMINS_REMOVED),
    ]);
    const gone = new Set(removed);
    return [...new Set([...this.start.admins.filter((a) => !gone.has(a)), ...added])].sort();
  }

  async isOperator(user: string): Promise<boolean> {
    if (user === TERMINAL_USER) return true;
    return (await this.admins()).includes(user);
  }

  async addAdmin(user: string): Promise<void> {
    await this.state.addMember(ADMINS_ADDED, user);
    await this.state.removeMember(ADMINS_REMOVED, user);
  }

  async removeAdmin(user: string): Promise<void> {
    await this.state.addMember(ADMINS_REMOVED, user);
    await this.state.removeMember(ADMINS_ADDED, user);
  }

  /** The effective list of a scope (`global` or a chat id). */
  async list(scope: string): Promise<ListView> {
    const [allow, deny, unset] = await Promise.all([
      this.state.members(set(scope, 'allow')),
      this.state.members(set(scope, 'deny')),
      scope === 'global' ? this.state.members(set(scope, 'unset')) : Promise.resolve([]),
    ]);
    const off = new Set([...unset, ...deny]);
    const start = scope === 'global' ? this.start.allow.filter((id) => !off.has(id)) : [];
    const allowed = [...new Set([...start, ...allow])].sort();
    return { active: allowed.length > 0, allow: allowed, deny: [...deny].sort() };
  }

  async allow(scope: string, id: string): Promise<void> {
    await this.state.addMember(set(scope, 'allow'), id);
    await this.state.removeMember(set(scope, 'deny'), id);
    if (scope === 'global') await this.state.removeMember(set(scope, 'unset'), id);
  }

  async deny(scope: string, id: string): Promise<void> {
    await this.state.addMember(set(scope, 'deny'), id);
    await this.state.removeMember(set(scope, 'allow'), id);
    if (scope === 'global') await this.state.addMember(set(scope, 'unset'), id);
  }

  /**
   * Whether `who` may use the bot in their chat. `chatAdmin` is asked only when the chat's own list would
   * refuse (it may cost a platform call). Rejects when the store fails: the caller refuses (fails closed).
   */
  async check(who: Who, chatAdmin: () => Promise<boolean>): Promise<Verdict> {
    if (await this.isOperator(who.user)) return { ok: true };
    const global = await this.list('global');
    const names = [...who.principals, who.chat];
    if (names.some((n) => global.deny.includes(n))) return { ok: false, byChat: false };
    if (global.active && !names.some((n) => global.allow.includes(n))) return { ok: false, byChat: false };
    if (who.private) return { ok: true };
    const local = await this.list(who.chat);
    if (who.principals.some((n) => local.deny.includes(n))) return { ok: false, byChat: true };
    if (local.active && !who.principals.some((n) => local.allow.includes(n)) && !(await chatAdmin()))
      return { ok: false, byChat: true };
    return { ok: true };
  }

  /** Whether a chat the bot was added to may use it: it (or whoever added the bot) passes the bot's list. */
  async chatWelcome(chat: string, by: string): Promise<boolean> {
    if (await this.isOperator(by)) return true;
    const global = await this.list('global');
    if ([chat, by].some((n) => global.deny.includes(n))) return false;
    return !global.active || global.allow.includes(chat) || global.allow.includes(by);
  }
}
