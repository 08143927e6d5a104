// The pure event mapping: strings and bytes in, NemoEvents out (no HTTP).
import { describe, expect, it } from 'vitest';
import { createEventDecoder, decodeAll, mapSseData } from '../../src/nemo/events.ts';
import { EVENT_TOO_LARGE, type NemoEvent } from '../../src/nemo/types.ts';

const adkText = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    content: { role: 'model', parts: [{ text }] },
    author: 'nemo_agent',
    invocationId: 'e-1',
    id: 'x',
    timestamp: 1.5,
    actions: { stateDelta: {} },
    ...extra,
  });
const call = JSON.stringify({
  content: {
    role: 'model',
    parts: [{ functionCall: { id: 'c1', name: 'edit_multitrack', args: { a: 1 } } }],
  },
  author: 'nemo_agent',
});
const result = JSON.stringify({
  content: {
    role: 'user',
    parts: [{ functionResponse: { id: 'c1', name: 'edit_multitrack', response: { ok: true } } }],
  },
});

/** A realistic stream: heartbeat styles, a tool round, partial + thought + final text, a multi-byte text. */
const STREAM = [
  'data:\n\n',
  ': ping\n\n',
  'data: {"type":"heartbeat"}\n\n',
  `data: ${call}\n\n`,
  `data: ${result}\n\n`,
  `data: ${JSON.stringify({ content: { parts: [{ text: 'thinking…', thought: true }] } })}\n\n`,
  `data: ${adkText('Your vid', { partial: true })}\n\n`,
  `data: ${adkText('Your video is ready! 你的视频好了 🎬')}\n\n`,
].join('');

const EXPECTED: NemoEvent[] = [
  { type: 'heartbeat' },
  { type: 'heartbeat' },
  { type: 'heartbeat' },
  { type: 'tool_call', name: 'edit_multitrack', id: 'c1', args: { a: 1 } },
  { type: 'tool_result', name: 'edit_multitrack', id: 'c1', response: { ok: true } },
  { type: 'text', text: 'Your video is ready! 你的视频好了 🎬', author: 'nemo_agent' },
];

describe('mapSseData', () => {
  it('maps ADK text, skipping partial and thought parts', () => {
    expect(mapSseData(adkText('hi'))).toEqual([{ type: 'text', text: 'hi', author: 'nemo_agent' }]);
    expect(mapSseData(adkText('hi', { partial: true }))).toEqual([]);
    expect(
      mapSseData(JSON.stringify({ content: { parts: [{ text: 'x', thought: true }, { text: 'y' }] } })),
    ).toEqual([{ type: 'text', text: 'y' }]);
  });

  it('maps function calls and responses', () => {
    expect(mapSseData(call)).toEqual([EXPECTED[3]]);
    expect(mapSseData(result)).toEqual([EXPECTED[4]]);
  });

  it('maps error events: {"error"} and ADK errorCode/errorMessage', () => {
    expect(mapSseData('{"error":"boom"}')).toEqual([{ type: 'error', message: 'boom' }]);
    expect(mapSseData('{"errorCode":"MALFORMED","errorMessage":"bad"}')).toEqual([
      { type: 'error', message: 'bad', code: 'MALFORMED' },
    ]);
    expect(mapSseData('{"errorCode":"ONLY_CODE"}')).toEqual([
      { type: 'error', message: 'ONLY_CODE', code: 'ONLY_CODE' },
    ]);
  });

  it('maps the simplified events', () => {
    expect(mapSseData('{"type":"text","content":"hello"}')).toEqual([{ type: 'text', text: 'hello' }]);
    expect(mapSseData('{"type":"tool_call","name":"generate_music","args":{"m":1}}')).toEqual([
      { type: 'tool_call', name: 'generate_music', args: { m: 1 } },
    ]);
    expect(mapSseData('{"type":"tool_result","name":"generate_music","result":{"ok":1}}')).toEqual([
      { type: 'tool_result', name: 'generate_music', response: { ok: 1 } },
    ]);
    expect(mapSseData('{"type":"heartbeat"}')).toEqual([{ type: 'heartbeat' }]);
    expect(mapSseData('{"type":"error","message":"nope"}')).toEqual([{ type: 'error', message: 'nope' }]);
  });

  it('treats empty data as a heartbeat and ignores unknown JSON', () => {
    expect(mapSseData('')).toEqual([{ type: 'heartbeat' }]);
    expect(mapSseData('  ')).toEqual([{ type: 'heartbeat' }]);
    expect(mapSseData('{"actions":{"stateDelta":{"x":1}}}')).toEqual([]);
    expect(mapSseData('[1,2]')).toEqual([]);
  });
});

describe('createEventDecoder', () => {
  it('decodes a whole stream', () => {
    expect(decodeAll([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events when the bytes are split at every boundary', () => {
    const bytes = Buffer.from(STREAM, 'utf8');
    for (let i = 1; i < bytes.length; i++) {
      expect(decodeAll([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const bytes = Buffer.from(STREAM, 'utf8');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(decodeAll(chunks)).toEqual(EXPECTED);
  });

  it('handles CRLF and lone CR line endings', () => {
    expect(decodeAll([STREAM.replaceAll('\n', '\r\n')])).toEqual(EXPECTED);
    expect(decodeAll([STREAM.replaceAll('\n', '\r')])).toEqual(EXPECTED);
    const crlf = Buffer.from(STREAM.replaceAll('\n', '\r\n'));
    for (let i = 1; i < crlf.length; i += 7) {
      expect(decodeAll([crlf.subarray(0, i), crlf.subarray(i)])).toEqual(EXPECTED);
    }
  });

  it('drops a leading BOM, as bytes (even split) or as text', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([bom, Buffer.from(STREAM)]);
    expect(decodeAll([bytes])).toEqual(EXPECTED);
    expect(decodeAll([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual(EXPECTED);
    expect(decodeAll([`\uFEFF${STREAM}`])).toEqual(EXPECTED);
  });

  it('reads a huge line', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const line = `data: ${adkText(big)}\n\n`;
    const out = decodeAll(line.match(/[\s\S]{1,65536}/g) ?? []);
    expect(out).toEqual([{ type: 'text', text: big, author: 'nemo_agent' }]);
  });

  it('treats every heartbeat style as a heartbeat', () => {
    for (const hb of ['data:\n\n', 'data: \n\n', ': ping\n\n', ':\n\n', 'data: {"type":"heartbeat"}\n\n']) {
      expect(decodeAll([hb])).toEqual([{ type: 'heartbeat' }]);
    }
  });

  it('joins multi-line data and ignores event names and ids', () => {
    const s = 'event: message\nid: 7\ndata: {"type":"text",\ndata: "content":"two lines"}\n\n';
    expect(decodeAll([s])).toEqual([{ type: 'text', text: 'two lines' }]);
  });

  it('delivers a last event that lacks the final blank line', () => {
    expect(decodeAll(['data: {"type":"text","content":"end"}\n'])).toEqual([{ type: 'text', text: 'end' }]);
    expect(decodeAll(['data: {"error":"cut"}'])).toEqual([{ type: 'error', message: 'cut' }]);
  });

  it('reports an error event mid-stream in order', () => {
    const s = `data: ${adkText('working')}\n\ndata: {"error":"quota exceeded"}\n\n`;
    const out: NemoEvent[] = [];
    const d = createEventDecoder((e) => out.push(e));
    d.feed(s);
    expect(out).toEqual([
      { type: 'text', text: 'working', author: 'nemo_agent' },
      { type: 'error', message: 'quota exceeded' },
    ]);
  });

  // The limit is on what the parser buffers between chunks (network reads are at most 64 KB, so a huge event
  // always spans chunks); an event complete inside one chunk is read whole.
  describe('an event past the size limit', () => {
    const big = `data: ${adkText('y'.repeat(5_000))}`;
    const before = `data: ${adkText('before')}`;
    const after = `data: ${adkText('after')}`;
    const decode = (chunks: string[]) => {
      const out: NemoEvent[] = [];
      const d = createEventDecoder((e) => out.push(e), { maxEventChars: 1_000 });
      for (const c of chunks) d.feed(c);
      d.end();
      return out;
    };
    const EXPECT = [
      { type: 'text', text: 'before', author: 'nemo_agent' },
      { type: 'error', code: EVENT_TOO_LARGE, message: 'an event over 1000 characters was skipped' },
      { type: 'text', text: 'after', author: 'nemo_agent' },
    ];

    for (const le of ['\n', '\r\n', '\r']) {
      it(`is skipped to its end and reported once (${JSON.stringify(le)}, any split)`, () => {
        const s = [before, big, ': ping', after].join(le + le) + le + le;
        for (const size of [1, 2, 3, 999, 1_001]) {
          const chunks = s.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
          expect(decode(chunks)).toEqual([...EXPECT.slice(0, 2), { type: 'heartbeat' }, EXPECT[2]]);
        }
      });
    }

    it('also when its data spans many lines', () => {
      const lines = Array.from({ length: 50 }, (_, i) => `data: ${'z'.repeat(40)}${i}`).join('\n');
      expect(decode([`${before}\n\n`, ...lines.split('\n').map((l) => `${l}\n`), `\n${after}\n\n`])).toEqual(
        EXPECT,
      );
    });
  });
});
