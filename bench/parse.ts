// CPU-only benchmarks, no I/O: the chat stream's SSE decoding + event mapping (src/nemo/events.ts) over a long
// ADK stream held in memory, and keyword routing (src/core/routing.ts) over a mixed EN/ZH phrase list.
import { route } from '../src/core/routing.ts';
import { createEventDecoder } from '../src/nemo/events.ts';
import { adkJson } from '../test/fakes/nemo/sse.ts';
import { emit, fmt, MB, type Row, timed } from './lib.ts';

const SSE_EVENTS = 50_000;
const CHUNK = 16 * 1024;

/** A long ADK stream: per agent step a heartbeat, partial text, the text, a tool call and its result. */
function adkStream(events: number): { chunks: Uint8Array[]; bytes: number } {
  const inv = 'e-bench';
  const step = [
    () => ': ping',
    () => 'data: ',
    (i: number) =>
      `data: ${JSON.stringify(adkJson({ kind: 'text', text: `Working on scene ${i}…`, partial: true }, inv))}`,
    (i: number) =>
      `data: ${JSON.stringify(adkJson({ kind: 'text', text: `Scene ${i}: a sunrise over the sea, warm light, slow pan. 场景 ${i}。` }, inv))}`,
    (i: number) =>
      `data: ${JSON.stringify(adkJson({ kind: 'call', id: `c${i}`, name: 'edit_multitrack', args: { action: 'add_text', text: `Title ${i}`, start: 0, end: 3000 } }, inv))}`,
    (i: number) =>
      `data: ${JSON.stringify(adkJson({ kind: 'result', id: `c${i}`, name: 'edit_multitrack', response: { ok: true, tracks: 3, duration: 30000 } }, inv))}`,
  ];
  const frames: string[] = [];
  for (let i = 0; frames.length < events; i++) {
    for (const f of step) if (frames.length < events) frames.push(`${f(i)}\n\n`);
  }
  const all = Buffer.from(frames.join(''));
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < all.length; o += CHUNK) chunks.push(all.subarray(o, Math.min(all.length, o + CHUNK)));
  return { chunks, bytes: all.length };
}

function sseBench(): Row[] {
  const { chunks, bytes } = adkStream(SSE_EVENTS);
  let mapped = 0;
  const decodeOnce = () => {
    const d = createEventDecoder(() => {
      mapped++;
    });
    for (const c of chunks) d.feed(c);
    d.end();
  };
  decodeOnce(); // warm-up (JIT)
  mapped = 0;
  const { runs, ms } = timed(10, 8_000, decodeOnce);
  const secs = ms / 1000;
  return [
    {
      figure: 'SSE decode + map (CPU only)',
      bot: `${Math.round((SSE_EVENTS * runs) / secs).toLocaleString('en-US')} events/s`,
      note: `${SSE_EVENTS.toLocaleString('en-US')} ADK events (${(bytes / MB).toFixed(1)} MB, ${CHUNK / 1024} KiB chunks) × ${runs} runs, ${fmt((bytes * runs) / MB / secs, 0)} MB/s → ${(mapped / runs).toLocaleString('en-US')} NemoEvents/run`,
    },
  ];
}

const PHRASES = [
  'export',
  'Export the video please',
  '导出',
  '帮我导出一下视频',
  '把视频发给我',
  'credits',
  'how many credits do I have left?',
  '余额',
  'status',
  '/status',
  '/export@NemoBot',
  '<@123456789> export',
  '@NemoBot download it',
  'help',
  '帮助',
  'cancel',
  '取消',
  '/lang zh',
  'make a 30-second promo for my candle shop',
  'add a title "Grand Opening" at the start',
  'replace the music with something calmer',
  'make it shorter, 15 seconds',
  '给我的蜡烛店做一个30秒的宣传视频',
  '加一个标题"盛大开业"',
  '换一首更安静的背景音乐',
  '把视频剪短到15秒',
  'a sunrise over the sea, cinematic, slow pan',
  'can you export it in 4k and also add subtitles in Chinese?',
];

function routeBench(): Row[] {
  let commands = 0;
  const call = (i: number) => {
    if (route(PHRASES[i % PHRASES.length] ?? '', { botMentions: ['@NemoBot'] }).kind === 'command')
      commands++;
  };
  timed(20_000, 2_000, call); // warm-up
  commands = 0;
  const { runs, ms } = timed(500_000, 5_000, call);
  return [
    {
      figure: 'Routing (CPU only)',
      bot: `${Math.round(runs / (ms / 1000)).toLocaleString('en-US')} route() calls/s`,
      note: `${PHRASES.length} EN/ZH phrases round-robin, ${runs.toLocaleString('en-US')} calls; ${((ms * 1000) / runs).toFixed(1)} µs/call; ${Math.round((100 * commands) / runs)}% routed to commands`,
    },
  ];
}

emit([...sseBench(), ...routeBench()]);
