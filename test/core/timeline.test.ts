import { describe, expect, it } from 'vitest';
import { describeChanges, isExportable, summariseDraft } from '../../src/core/timeline.ts';
import type { Draft } from '../../src/nemo/types.ts';
import { applyEdit, emptyDraft, type FakeDraft, generatedDraft } from '../fakes/nemo/draft.ts';

const SEED_LINE =
  'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)';

const SEED: Draft = {
  d: 10000,
  m: { title: 'Urban Dreams', width: 1080, height: 1920 },
  t: [
    { tt: 0, sg: [{ n: 'city timelapse', s: 0, e: 10000 }] },
    { tt: 1, sg: [{ n: 'Lo-fi', s: 0, d: 10000, v: 0.35 }] },
    { tt: 7, sg: [{ tx: 'Urban Dreams', s: 0, e: 3000 }] },
  ],
};

const clone = (d: Draft): Draft => structuredClone(d);

describe('summariseDraft', () => {
  it('prints the seed example, one track per line', () => {
    const s = summariseDraft(SEED, 'en');
    expect(s).toBe(
      'Timeline (3 tracks):\n1. Video: city timelapse (0-10s)\n2. BGM: Lo-fi (0-10s, 35%)\n3. Title: "Urban Dreams" (0-3s)',
    );
    expect(s?.replace(/\n/g, ' ')).toBe(SEED_LINE);
  });

  it('prints Chinese labels', () => {
    expect(summariseDraft(SEED, 'zh')).toBe(
      '时间线（3 条轨道）：\n1. 视频：city timelapse（0-10 秒）\n2. 背景音乐：Lo-fi（0-10 秒，35%）\n3. 标题：“Urban Dreams”（0-3 秒）',
    );
  });

  const CASES: Array<[string, Draft | undefined, string | undefined]> = [
    ['undefined draft', undefined, undefined],
    ['no tracks', {}, undefined],
    ['empty track list', { t: [] }, undefined],
    ['tracks without segments', { t: [{ tt: 0, sg: [] }, { tt: 1 }] }, undefined],
    ['unknown segment keys', { t: [{ tt: 0, sg: [{ zz: 1, qq: 'x' }] }] }, 'Timeline (1 track):\n1. Video'],
    ['time only', { t: [{ tt: 0, sg: [{ start: 0, end: 10 }] }] }, 'Timeline (1 track):\n1. Video (0-10s)'],
    [
      'seconds, long keys, volume already in %',
      { t: [{ tt: 1, sg: [{ name: 'Jazz', start: 2, duration: 8.5, volume: 60 }] }] },
      'Timeline (1 track):\n1. BGM: Jazz (2-10.5s, 60%)',
    ],
    [
      'name from the source url, nested time range',
      { t: [{ tt: 0, sg: [{ src: 'https://cdn.x/u/city%20night.mp4?sig=abc', tr: { st: 0, dur: 4000 } }] }] },
      'Timeline (1 track):\n1. Video: city night.mp4 (0-4s)',
    ],
    [
      'several segments, an empty track, an unknown type',
      {
        t: [
          {
            tt: 0,
            sg: [
              { nm: 'a', b: 0, e: 2000 },
              { nm: 'b', b: 2000, e: 4000 },
              { nm: 'c', b: 4000, e: 6000 },
              { nm: 'd', b: 6000, e: 8000 },
            ],
          },
          { tt: 7, sg: [] },
          { tt: 42, sg: [{ title: 'sticker' }] },
        ],
      },
      'Timeline (3 tracks):\n1. Video: a, b, c, +1 more (0-8s)\n2. Title (empty)\n3. Track: sticker',
    ],
    [
      'voice-over and music: only the music is BGM',
      {
        t: [
          { tt: 1, sg: [{ n: 'voiceover.mp3', dur: 5 }] },
          { tt: 1, sg: [{ n: 'Upbeat', dur: 5, v: 1 }] },
        ],
      },
      'Timeline (2 tracks):\n1. Audio: voiceover.mp3 (5s)\n2. BGM: Upbeat (5s, 100%)',
    ],
    [
      'garbage values never print undefined or NaN',
      { t: [{ tt: 0, sg: [{ n: '', s: Number.NaN, e: 'x', v: null }, null as never, 'x' as never] }] },
      'Timeline (1 track):\n1. Video',
    ],
    [
      'long text is clipped',
      { t: [{ tt: 7, sg: [{ text: 'A very long title that goes on and on and on forever' }] }] },
      'Timeline (1 track):\n1. Title: "A very long title that goes on and on a…"',
    ],
  ];
  it.each(CASES)('%s', (_, draft, expected) => {
    const s = summariseDraft(draft, 'en');
    expect(s).toBe(expected);
    expect(s ?? '').not.toMatch(/undefined|NaN|null/);
  });
});

describe('isExportable', () => {
  it.each([
    [undefined, false],
    [{}, false],
    [{ t: [] }, false],
    [{ t: [{ tt: 0, sg: [] }] }, false],
    [{ t: [{ tt: 0 }, { tt: 1, sg: [{}] }] }, true],
    [SEED, true],
  ] as Array<[Draft | undefined, boolean]>)('%j → %s', (draft, expected) => {
    expect(isExportable(draft)).toBe(expected);
  });
});

describe('describeChanges', () => {
  it('names nothing when nothing changed', () => {
    expect(describeChanges(SEED, clone(SEED), 'en')).toBeUndefined();
    expect(describeChanges(undefined, undefined, 'en')).toBeUndefined();
    expect(describeChanges(SEED, undefined, 'en')).toBeUndefined();
    expect(describeChanges({}, { t: [] }, 'en')).toBeUndefined();
  });

  it('names an added track only', () => {
    const before: Draft = { d: 30000, t: [{ tt: 0, sg: [{ n: 'city', s: 0, e: 30000 }] }] };
    const after = clone(before);
    after.t!.push({ tt: 1, sg: [{ n: 'Lo-fi', s: 0, e: 30000, v: 0.35 }] });
    expect(describeChanges(before, after, 'en')).toBe('Added: BGM: Lo-fi (0-30s, 35%)');
    expect(describeChanges(before, after, 'zh')).toBe('新增：背景音乐：Lo-fi（0-30 秒，35%）');
  });

  it('counts everything as added after an unknown draft', () => {
    expect(describeChanges(undefined, SEED, 'en')).toBe(
      'Added: Video: city timelapse (0-10s)\nAdded: BGM: Lo-fi (0-10s, 35%)\nAdded: Title: "Urban Dreams" (0-3s)',
    );
  });

  it('names a removed track', () => {
    const after = clone(SEED);
    after.t!.splice(2, 1);
    expect(describeChanges(SEED, after, 'en')).toBe('Removed: Title: "Urban Dreams" (0-3s)');
    expect(describeChanges(SEED, after, 'zh')).toBe('删除：标题：“Urban Dreams”（0-3 秒）');
  });

  it('names a changed volume and a changed duration', () => {
    const after = clone(SEED);
    after.d = 30000;
    after.t![1]!.sg![0]!.v = 0.5;
    after.t![1]!.sg![0]!.d = 30000;
    expect(describeChanges(SEED, after, 'en')).toBe(
      'Changed: BGM: Lo-fi (0-10s, 35%) → Lo-fi (0-30s, 50%)\nDuration: 10s → 30s',
    );
    expect(describeChanges(SEED, after, 'zh')).toBe(
      '修改：背景音乐：Lo-fi（0-10 秒，35%） → Lo-fi（0-30 秒，50%）\n时长：10 秒 → 30 秒',
    );
  });

  it('names a renamed title', () => {
    const after = clone(SEED);
    after.t![2]!.sg![0]!.tx = 'City Lights';
    expect(describeChanges(SEED, after, 'en')).toBe(
      'Changed: Title: "Urban Dreams" (0-3s) → "City Lights" (0-3s)',
    );
  });

  it('names a change it cannot show once', () => {
    const after = clone(SEED);
    after.t![0]!.sg![0]!.fx = 'sepia';
    expect(describeChanges(SEED, after, 'en')).toBe('Changed: Video: city timelapse (0-10s)');
  });

  it('matches tracks by id when ids survive, so an insert is one addition', () => {
    const before: Draft = {
      t: [
        { id: 'v1', tt: 0, sg: [{ n: 'a', s: 0, e: 5 }] },
        { id: 'v2', tt: 0, sg: [{ n: 'b', s: 5, e: 10 }] },
      ],
    };
    const after: Draft = {
      t: [before.t![0]!, { id: 'v3', tt: 0, sg: [{ n: 'new', s: 0, e: 5 }] }, before.t![1]!],
    };
    expect(describeChanges(before, after, 'en')).toBe('Added: Video: new (0-5s)');
  });

  it('falls back to type and rank when ids are renumbered', () => {
    const before: Draft = { t: [{ id: 'x1', tt: 0, sg: [{ n: 'a', s: 0, e: 5 }] }] };
    const after: Draft = { t: [{ id: 'y9', tt: 0, sg: [{ n: 'a', s: 0, e: 5 }] }] };
    expect(describeChanges(before, after, 'en')).toBeUndefined();
    after.t![0]!.sg![0]!.e = 6;
    expect(describeChanges(before, after, 'en')).toBe(
      'Changed: Video: a (0-5s) → a (0-6s)\nDuration: 5s → 6s',
    );
  });
});

describe('the fake NemoVideo draft (test/fakes/nemo/draft.ts keys: id n st d v tx src)', () => {
  // Through JSON, as the client receives it (the fake's interfaces have no index signature).
  const wire = (d: FakeDraft): Draft => JSON.parse(JSON.stringify(d)) as Draft;
  const raw = generatedDraft('make a video about city timelapse', 'https://cdn.fake/v/clip.mp4', false);
  const generated = wire(raw);
  const empty = wire(emptyDraft());

  it('summarises a generated draft', () => {
    expect(summariseDraft(generated, 'en')).toBe(
      'Timeline (3 tracks):\n1. Video: make a video about city timelapse (0-30s)\n' +
        '2. BGM: Upbeat Corporate (0-30s, 35%)\n3. Title: "about city timelapse" (0-3s)',
    );
    expect(isExportable(generated)).toBe(true);
    expect(isExportable(empty)).toBe(false);
    expect(summariseDraft(empty, 'zh')).toBeUndefined();
  });

  it('describes its edits', () => {
    const bgm = wire(applyEdit(raw, 'add_bgm', 'add music', false).draft);
    expect(describeChanges(generated, bgm, 'en')).toBe(
      'Changed: BGM: Upbeat Corporate (0-30s, 35%) → Lo-fi Chill (0-30s, 35%)',
    );
    const trimmed = wire(applyEdit(raw, 'trim', 'trim to 10s', false).draft);
    expect(describeChanges(generated, trimmed, 'zh')).toBe(
      '修改：视频：make a video about city timelapse（0-30 秒） → make a video about city timelapse（0-10 秒）\n' +
        '修改：背景音乐：Upbeat Corporate（0-30 秒，35%） → Upbeat Corporate（0-10 秒，35%）\n时长：30 秒 → 10 秒',
    );
    const titled = wire(applyEdit(emptyDraft(), 'add_title', 'add the title "Hello"', false).draft);
    expect(describeChanges(empty, titled, 'en')).toBe('Added: Title: "Hello" (0-3s)\nDuration: 0s → 10s');
  });
});
