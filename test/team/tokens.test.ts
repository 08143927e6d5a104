import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { teamEn } from '../../src/i18n/team.en.ts';
import { teamZh } from '../../src/i18n/team.zh.ts';
import {
  from,
  KEY,
  OPERATOR_TOKEN,
  PROMPT,
  recordingChat,
  say,
  type TeamHarness,
  teamHarness,
} from './harness.ts';

// Bring your own NemoVideo account: /token in a private chat, a group admin's link, encryption at rest, the
// credentials precedence (the chat's own token > NEMO_TOKEN), and that a token never shows in the store file,
// the log or a chat.

const MINE = 'nmv_usr_my_own_team_token_0123456789abcdef';
const GROUPS = 'nmv_usr_the_groups_token_fedcba9876543210';

let h: TeamHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  h = dir = undefined;
});

/** Which bearer tokens the fake saw for requests of a kind (paths), in order. */
const bearers = (t: TeamHarness, re: RegExp) =>
  t.fake.requests
    .filter((r) => re.test(r.path))
    .map((r) => String(r.headers.authorization).replace('Bearer ', ''));

describe('/token', () => {
  it('without BOT_SECRET_KEY it explains that the operator must set it', async () => {
    h = await teamHarness();
    const chat = recordingChat('tg:5');
    expect(await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`))).toBe(teamEn.tokenNoKey);
    expect(await say(h, chat, from(chat, 'tg:5', '/令牌'))).toBe(teamZh.tokenNoKey);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('a private chat’s own token: checked, stored, used for that chat only; clear goes back', async () => {
    h = await teamHarness({
      env: { BOT_SECRET_KEY: KEY, NEMO_TOKEN: OPERATOR_TOKEN },
      fake: { operatorTokens: [OPERATOR_TOKEN, MINE] },
    });
    const mine = recordingChat('tg:5');
    const other = recordingChat('tg:6');
    expect(await say(h, mine, from(mine, 'tg:5', '/token'))).toBe(
      `${teamEn.tokenStatus('operator')}\n${teamEn.tokenHowTo('telegram')}`,
    );
    expect(await say(h, mine, from(mine, 'tg:5', `/token ${MINE}`))).toBe(teamEn.tokenLinked('private'));
    expect(mine.log.at(-1)?.private).toBe(true);
    expect(bearers(h, /credits/)).toEqual([MINE]); // the check
    await say(h, mine, from(mine, 'tg:5', PROMPT));
    await say(h, other, from(other, 'tg:6', PROMPT));
    const sessions = bearers(h, /with-session/);
    expect(sessions).toEqual([MINE, OPERATOR_TOKEN]);
    expect(bearers(h, /run_sse/)).toEqual([MINE, OPERATOR_TOKEN]);
    expect(await say(h, mine, from(mine, 'tg:5', '/token'))).toContain(teamEn.tokenStatus('own', 'tg:5'));
    expect(await say(h, mine, from(mine, 'tg:5', '/token clear'))).toBe(teamEn.tokenCleared);
    expect(await say(h, mine, from(mine, 'tg:5', '/token clear'))).toBe(teamEn.tokenNone);
    await say(h, mine, from(mine, 'tg:5', 'make one more video'));
    expect(bearers(h, /run_sse/).at(-1)).toBe(OPERATOR_TOKEN);
  });

  it('a wrong token is told at once and not stored; a malformed one is not even sent', async () => {
    h = await teamHarness({ env: { BOT_SECRET_KEY: KEY } });
    const chat = recordingChat('tg:5');
    expect(await say(h, chat, from(chat, 'tg:5', '/token nmv_usr_not_a_real_token_000000'))).toBe(
      teamEn.tokenInvalid,
    );
    expect(await say(h, chat, from(chat, 'tg:5', '/token short'))).toBe(teamEn.tokenMalformed);
    expect(h.fake.count('credits')).toBe(1);
    expect(await say(h, chat, from(chat, 'tg:5', '/token'))).toContain(teamEn.tokenStatus('trial'));
    h.fake.options.faults.push({ route: 'credits', status: 400 });
    expect(await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`))).toBe(teamEn.tokenCheckFailed);
    expect(await say(h, chat, from(chat, 'tg:5', '/token'))).toContain(teamEn.tokenStatus('trial'));
    // A right token on an account without credits is still right: linked.
    h.fake.options.faults.push({ route: 'credits', code: 2001 });
    expect(await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`))).toBe(teamEn.tokenLinked('private'));
  });

  it('a token typed in a group is refused as exposed; a group admin links one from the private chat', async () => {
    h = await teamHarness({ env: { BOT_SECRET_KEY: KEY }, fake: { operatorTokens: [GROUPS] } });
    const group = recordingChat('tg:-100900');
    const dm = recordingChat('tg:7');
    h.engine.registerChats('tg', (address) => (address === group.address ? group : undefined));
    expect(await say(h, group, from(group, 'tg:7', `/token ${GROUPS}`, { admin: true }))).toBe(
      teamEn.tokenExposed,
    );
    // A member may not start a link; the admin may.
    expect(await say(h, group, from(group, 'tg:8', '/token clear'))).toBe(teamEn.tokenAdminsOnly);
    expect(await say(h, group, from(group, 'tg:7', '/token', { admin: true }))).toBe(
      `${teamEn.tokenStatus('trial')}\n${teamEn.tokenLinkPending(10)}`,
    );
    expect(await say(h, dm, from(dm, 'tg:7', `/token ${GROUPS}`))).toBe(teamEn.tokenLinked('group'));
    expect(group.log.at(-1)?.text).toBe(teamEn.tokenLinkedNotice('User 7'));
    await say(h, group, from(group, 'tg:8', PROMPT));
    expect(bearers(h, /run_sse/)).toEqual([GROUPS]);
    // The private chat itself still has no token of its own.
    expect(await say(h, dm, from(dm, 'tg:7', '/token'))).toContain(teamEn.tokenStatus('trial'));
  });

  it('a Discord server admin links the channel through the modal (concealed); a member cannot', async () => {
    h = await teamHarness({ env: { BOT_SECRET_KEY: KEY }, fake: { operatorTokens: [GROUPS] } });
    const channel = recordingChat('dc:300000000000000001');
    const modal = (admin: boolean) =>
      from(channel, admin ? 'dc:111111' : 'dc:222222', '/token', {
        admin,
        server: '9999999',
        concealed: true,
        command: { name: 'token', arg: GROUPS },
      });
    expect(await say(h, channel, modal(false))).toBe(teamEn.tokenAdminsOnly);
    expect(await say(h, channel, modal(true))).toBe(teamEn.tokenLinked('group'));
    expect(channel.log.every((p) => p.private)).toBe(true);
  });

  it('a token is readable neither in the SQLite store file nor in any log line nor in a chat', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'team-token-'));
    const file = path.join(dir, 'bot.sqlite');
    h = await teamHarness({
      env: { BOT_SECRET_KEY: KEY },
      fake: { operatorTokens: [MINE] },
      store: `sqlite://${file}`,
    });
    const chat = recordingChat('tg:5');
    await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`));
    await say(h, chat, from(chat, 'tg:5', PROMPT));
    await say(h, chat, from(chat, 'tg:5', 'export'));
    await say(h, chat, from(chat, 'tg:5', '/token nmv_usr_a_wrong_token_for_the_log_000'));
    h.fake.options.faults.push({ route: 'chat', code: 1001 });
    await say(h, chat, from(chat, 'tg:5', 'make it longer'));
    expect(bearers(h, /run_sse/)[0]).toBe(MINE);
    await h.close();
    h = undefined;
    const bytes = await readFile(file);
    for (const secret of [MINE, 'nmv_usr_a_wrong_token_for_the_log_000']) {
      for (const form of [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('hex'),
      ])
        expect(bytes.includes(form), `store file holds ${form.slice(0, 12)}…`).toBe(false);
    }
    // The store does hold the sealed token (so the test looks at the right file).
    expect(bytes.includes('team:token:tg-chat:5')).toBe(true);
  });

  it('no log line and no chat message carries a token (the log is captured unredacted)', async () => {
    h = await teamHarness({ env: { BOT_SECRET_KEY: KEY }, fake: { operatorTokens: [MINE] } });
    const chat = recordingChat('tg:5');
    const group = recordingChat('tg:-100901');
    await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`));
    await say(h, group, from(group, 'tg:5', `/token ${MINE}`, { admin: true }));
    await say(h, chat, from(chat, 'tg:5', PROMPT));
    h.fake.options.faults.push({ route: 'credits', code: 1001 });
    await say(h, chat, from(chat, 'tg:5', '/credits'));
    const all = [...h.logs, ...chat.texts(), ...group.texts()].join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    expect(all).not.toContain(MINE);
    expect(h.secrets.has(MINE)).toBe(true);
  });

  it('a stored token that no longer decrypts (the key changed) is never silently replaced by another account', async () => {
    h = await teamHarness({ env: { BOT_SECRET_KEY: KEY }, fake: { operatorTokens: [MINE] } });
    const chat = recordingChat('tg:5');
    await say(h, chat, from(chat, 'tg:5', `/token ${MINE}`));
    const sealed = (await h.state.get('team:token:tg-chat:5')) as { data: string };
    await h.state.set('team:token:tg-chat:5', {
      ...sealed,
      data: Buffer.from('tampered').toString('base64'),
    });
    h.engine = h.restart(); // a new process: nothing cached
    const before = h.fake.requests.length;
    expect(await say(h, chat, from(chat, 'tg:5', PROMPT))).toBe(teamEn.tokenUnreadable);
    expect(h.fake.requests).toHaveLength(before);
    expect(await say(h, chat, from(chat, 'tg:5', '/token clear'))).toBe(teamEn.tokenCleared);
    await say(h, chat, from(chat, 'tg:5', PROMPT));
    expect(h.fake.chats).toHaveLength(1);
  });
});
