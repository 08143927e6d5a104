// The agent assumes a GUI (docs/decisions.md decision 7). Its text may tell the user to click a button, open a panel,
// drag a clip or preview the timeline; a chat has none of these. Each such instruction, in its GUI form only,
// becomes an action the bot can take, and the sentence carrying it is dropped from what the user sees.
//   'export'   – a click on Export/Download, the Export button, 导出按钮: the bot's export flow.
//   'summary'  – preview in the timeline, a click on Preview/Timeline: the bot's own track summary.
//   'state'    – any other click ("click Generate") or opened panel: the bot cannot press an unknown
//                button for the user, and must not send the agent words the user did not write (each send
//                may cost credits), so it queries the session state and shows what is there.
//   'describe' – drag and drop: the bot asks the user to describe the edit in words.
// A bare mention of exporting ("Once done you can export it", "I can't export to GIF") is no instruction:
// the text stays and `offerExport` asks the bot to put an Export button under it.

import { GUI } from '../i18n/keywords.ts';

export type GuiAction = 'export' | 'state' | 'summary' | 'describe';

export interface GuiAnalysis {
  text: string;
  actions: GuiAction[];
  offerExport: boolean;
}

/**
 * Splits into sentences that keep their end marks and the whitespace after them, so joining the kept ones
 * gives the text back. Ends: 。！？ and newlines always; . ! ? only before whitespace (not "1.5s", "v2.0"),
 * and not after a list number ("1. Click …") or "e.g.".
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    let end = -1;
    if (c === '\n' || '。！？'.includes(c)) {
      end = i + 1;
      while (end < n && /[。！？”」』）)"']/u.test(text[end]!)) end++;
    } else if ('.!?'.includes(c)) {
      let j = i + 1;
      while (j < n && /[.!?"'”’)*]/u.test(text[j]!)) j++;
      const sofar = text.slice(start, i).trim();
      const listNumber = c === '.' && /^(?:[-*•]\s*)?(?:\d{1,3}|[a-z])$/iu.test(sofar);
      const abbreviation = c === '.' && /\b(?:e\.g|i\.e|etc|vs|mr|mrs|dr)$/iu.test(sofar);
      if ((j === n || /\s/u.test(text[j]!)) && !listNumber && !abbreviation) end = j;
    }
    if (end < 0) {
      i++;
      continue;
    }
    while (end < n && /\s/u.test(text[end]!)) end++;
    out.push(text.slice(start, end));
    start = end;
    i = end;
  }
  if (start < n) out.push(text.slice(start));
  return out;
}

/** Words that cut the name of a control short: "Click Generate to create …" names "Generate". */
const NAME_END = /[,.;:!?，。；：！？\n]|\s(?:to|and|then|in|on|at|for|from|so|which|when|once|if)\s/iu;
const FILLER_TARGET = /^(?:here|this|that|it|there|the link|this link)\b/iu;

function classify(name: string): GuiAction {
  if (GUI.exportTarget.test(name)) return 'export';
  if (GUI.summaryTarget.test(name)) return 'summary';
  return 'state';
}

/** Actions of English clicks/taps/presses in one sentence. */
function englishClicks(sentence: string): GuiAction[] {
  const acts: GuiAction[] = [];
  for (const m of sentence.matchAll(GUI.clickVerbs)) {
    const after = sentence.slice(m.index + m[0].length);
    if (!/^\s/u.test(after)) continue;
    const strong = /^click|^tap/iu.test(m[0]);
    const target = after.replace(
      strong ? /^\s+(?:on\s+)?(?:the\s+|your\s+|an?\s+)?/iu : /^\s+(?:the\s+)?/iu,
      '',
    );
    if (!target || GUI.notTarget.test(target)) continue;
    const cut = NAME_END.exec(target);
    let name = cut ? target.slice(0, cut.index) : target;
    const head = name.split(/\s+/u).slice(0, 4).join(' ');
    // Weak verbs ("hit", "press", "select") are everyday words: they need a GUI-looking target.
    const quoted = /^["'“‘*「【[]/u.test(target);
    const control = strong || quoted || GUI.controlNouns.test(head) || /^\p{Lu}\w*$/u.test(head);
    if (!control) continue;
    // "Click here to download" names its control by the rest of the sentence.
    if (FILLER_TARGET.test(name)) name = target;
    acts.push(classify(name));
  }
  return acts;
}

function sentenceActions(s: string): GuiAction[] {
  const acts: GuiAction[] = [];
  if (GUI.exportButton.test(s)) acts.push('export');
  acts.push(...englishClicks(s));
  const zh = GUI.zhClick.exec(s);
  if (zh) acts.push(classify(s.slice(zh.index + zh[0].length).slice(0, 15)));
  const open = GUI.openPanel.exec(s) ?? GUI.zhOpenPanel.exec(s);
  // A panel names what it is for, like a button: the Export panel → export, the Timeline tab → summary.
  if (open) acts.push(classify(open[0]));
  if (GUI.previewTimeline.test(s) || GUI.zhPreviewTimeline.test(s)) acts.push('summary');
  if (GUI.drag.test(s) || GUI.zhDrag.test(s)) acts.push('describe');
  return acts;
}

export function analyseAgentText(text: string): GuiAnalysis {
  const actions: GuiAction[] = [];
  const kept: string[] = [];
  for (const sentence of splitSentences(text)) {
    const acts = sentenceActions(sentence);
    if (acts.length === 0) kept.push(sentence);
    for (const a of acts) if (!actions.includes(a)) actions.push(a);
  }
  const rest = kept
    .join('')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
  const offerExport = !actions.includes('export') && GUI.exportMention.test(text);
  return { text: rest, actions, offerExport };
}
