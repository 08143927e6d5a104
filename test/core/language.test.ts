import { describe, expect, it } from 'vitest';
import { chooseLang, looksChinese, nemoLanguage, parseLang } from '../../src/core/language.ts';
import type { Lang } from '../../src/core/ports.ts';

describe('chooseLang', () => {
  const CASES: Array<[Parameters<typeof chooseLang>[0], Lang]> = [
    [{}, 'en'],
    [{ chatChoice: 'zh' }, 'zh'],
    [{ chatChoice: 'en', locale: 'zh-CN', text: '导出' }, 'en'],
    [{ chatChoice: 'zh', locale: 'en-US', text: 'export' }, 'zh'],
    [{ locale: 'zh-CN' }, 'zh'],
    [{ locale: 'zh-TW', text: 'hello' }, 'zh'],
    [{ locale: 'zh' }, 'zh'],
    [{ locale: 'ZH_hans' }, 'zh'],
    [{ locale: 'en-US', text: 'hello' }, 'en'],
    [{ locale: 'en-US', text: '帮我做一个视频' }, 'zh'],
    [{ locale: 'zhx' }, 'en'],
    [{ text: '导出' }, 'zh'],
    [{ text: '做一个 Tesla 的宣传视频' }, 'zh'],
    [{ text: 'make a video about 北京' }, 'en'],
    [{ text: 'make a video about cats' }, 'en'],
    [{ text: '' }, 'en'],
    [{ chatChoice: undefined, locale: undefined, text: undefined }, 'en'],
  ];
  it.each(CASES)('%j → %s', (input, expected) => {
    expect(chooseLang(input)).toBe(expected);
  });
});

describe('parseLang', () => {
  const CASES: Array<[string, Lang | undefined]> = [
    ['zh', 'zh'],
    ['zh-CN', 'zh'],
    ['zh_TW', 'zh'],
    ['zh-Hans-CN', 'zh'],
    ['中文', 'zh'],
    ['简体中文', 'zh'],
    ['Chinese', 'zh'],
    ['cn', 'zh'],
    [' ZH ', 'zh'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['English', 'en'],
    ['英文', 'en'],
    ['英语', 'en'],
    ['fr', undefined],
    ['', undefined],
    ['zhong', undefined],
    ['japanese', undefined],
  ];
  it.each(CASES)('%j → %s', (input, expected) => {
    expect(parseLang(input)).toBe(expected);
  });
});

describe('nemoLanguage and looksChinese', () => {
  it('maps to the session language', () => {
    expect(nemoLanguage('en')).toBe('en');
    expect(nemoLanguage('zh')).toBe('zh-CN');
  });
  it('weighs Han against Latin letters', () => {
    expect(looksChinese('ok 好')).toBe(true);
    expect(looksChinese('okay okay 好')).toBe(false);
    expect(looksChinese('こんにちは')).toBe(false);
  });
});
