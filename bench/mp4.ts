// 45 MB MP4: render completed → sendVideo fully received. The bot exports (state → render → one poll that
// says "completed" → download → sendVideo) through Telegram; the clock starts when the fake NemoVideo has
// written that poll answer and stops when the fake Telegram has the whole multipart body. The baseline in the
// same run: `curl -o` of the same URL, then `curl -F` of the file to the same sendVideo (a bare undici
// transfer when curl is missing). Medians over ROUNDS rounds.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TG_TOKEN, type TgCall } from './fakes/telegram.ts';
import {
  type Fakes,
  median,
  ms,
  quiet,
  ROUNDS,
  ratio,
  sleep,
  startBare,
  startBot,
  startFakes,
  until,
} from './harness.ts';
import { emit, type Row } from './lib.ts';

const SIZE = 45_000_000;
const CHAT = 9_100_000_001;
const log = (s: string) => process.stderr.write(`  mp4: ${s}\n`);

const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

function curl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-sS', '--fail', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
  });
}

/** The next sendVideo that carried the whole file. */
function nextVideo(fakes: Fakes): Promise<TgCall> {
  return new Promise((resolve) => {
    fakes.tg.onCall = (c) => {
      if (c.method === 'sendVideo' && c.fileBytes >= SIZE) resolve(c);
    };
  });
}

const fakes = await startFakes({ mp4Bytes: SIZE });
const rows: Row[] = [];
const bot = await startBot({
  fakes,
  store: 'memory://',
  env: { RENDER_POLL_INTERVAL_MS: '50', RENDER_POLL_MAX: '20' },
  profileName: 'mp4',
});
const bare = hasCurl ? undefined : await startBare();
try {
  const total = () => [...fakes.tg.counts.values()].reduce((a, b) => a + b, 0);
  fakes.tg.onCall = undefined;
  fakes.tg.push(CHAT, `make a promo about #${CHAT}`);
  await until(() => fakes.tg.count('sendMessage') > 0, 60_000, 'the first reply');
  await quiet(total);
  const bots: number[] = [];
  const bases: number[] = [];
  /** Where the bot's time goes: completed → download asked → upload started → upload received. */
  const phases: Array<[number, number, number]> = [];
  const basePhases: Array<[number, number, number]> = [];
  let completedAt = 0;
  let downloadAt = 0;
  fakes.nemo.onRenderCompleted = (_id, at) => {
    completedAt = at;
  };
  fakes.nemo.onDownload = (at) => {
    downloadAt = at;
  };
  for (let r = 1; r <= ROUNDS; r++) {
    const video = nextVideo(fakes);
    fakes.tg.push(CHAT, 'export');
    const got = await Promise.race([
      video,
      sleep(60_000).then(() => {
        throw new Error(
          `no sendVideo within 60 s; the bot's log ends:\n${bot.log().split('\n').slice(-10).join('\n')}`,
        );
      }),
    ]);
    bots.push(got.at - completedAt);
    phases.push([downloadAt - completedAt, got.started - downloadAt, got.at - got.started]);
    // The export holds the chat's export slot until its last progress edit, which waits out the 1 s edit gap.
    await quiet(total, 1_500);

    const file = path.join(tmpdir(), `bench-${randomUUID()}.mp4`);
    const url = `${fakes.nemo.url}/files/bench.mp4`;
    const base = nextVideo(fakes);
    const t0 = performance.now();
    if (bare) await bare.call({ cmd: 'transfer', url, tg: fakes.tg.url, token: TG_TOKEN });
    else {
      await curl(['-o', file, url]);
      await curl([
        '-F',
        `chat_id=${CHAT}`,
        '-F',
        `video=@${file};type=video/mp4`,
        `${fakes.tg.url}/bot${TG_TOKEN}/sendVideo`,
      ]);
    }
    const done = await base;
    bases.push(done.at - t0);
    basePhases.push([downloadAt - t0, done.started - downloadAt, done.at - done.started]);
    await rm(file, { force: true });
    log(`round ${r}: bot ${ms(bots.at(-1) ?? 0)}, baseline ${ms(bases.at(-1) ?? 0)}`);
  }
  const b = median(bots);
  const base = median(bases);
  rows.push({
    figure: '45 MB MP4: render completed → sendVideo received',
    bot: ms(b),
    baseline: `${ms(base)} (${hasCurl ? 'curl download + curl -F' : 'bare undici download + upload'})`,
    ratio: ratio(base / b),
    goal: '≥ 0.7×',
    note:
      `ratio = baseline time / bot time; medians, bot vs baseline: until the download was asked ` +
      `${ms(median(phases.map((p) => p[0])))} vs ${ms(median(basePhases.map((p) => p[0])))}, ` +
      `download + until the upload started ${ms(median(phases.map((p) => p[1])))} vs ${ms(median(basePhases.map((p) => p[1])))}, ` +
      `upload ${ms(median(phases.map((p) => p[2])))} vs ${ms(median(basePhases.map((p) => p[2])))}`,
  });
} finally {
  await bare?.stop();
  await bot.stop();
  await fakes.close();
}
emit(rows);
process.exit(0);
