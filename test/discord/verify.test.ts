import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { publicKeyFromHex, verifyInteraction } from '../../src/adapters/discord/verify.ts';

// The Ed25519 check of Discord's HTTP interactions: node:crypto over timestamp + body, the key as the
// Developer Portal shows it (64 hex characters).

const pair = generateKeyPairSync('ed25519');
const hex = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex');
const key = publicKeyFromHex(hex);
const NOW = 1_800_000_000_000;
const ts = String(NOW / 1000);
const body = Buffer.from('{"type":1}');
const signed = (t: string, b: Buffer, k = pair.privateKey) =>
  sign(null, Buffer.concat([Buffer.from(t), b]), k).toString('hex');

describe('verifyInteraction', () => {
  test('accepts what the application key signed, upper- or lower-case hex', () => {
    const signature = signed(ts, body);
    expect(verifyInteraction(key, { signature, timestamp: ts, body }, NOW)).toBe('ok');
    expect(verifyInteraction(key, { signature: signature.toUpperCase(), timestamp: ts, body }, NOW)).toBe(
      'ok',
    );
    expect(
      verifyInteraction(publicKeyFromHex(hex.toUpperCase()), { signature, timestamp: ts, body }, NOW),
    ).toBe('ok');
  });

  test.each([
    ['no signature', { signature: undefined, timestamp: ts, body }],
    ['no timestamp', { signature: signed(ts, body), timestamp: undefined, body }],
    ['another body', { signature: signed(ts, body), timestamp: ts, body: Buffer.from('{"type":2}') }],
    ['another timestamp', { signature: signed(ts, body), timestamp: String(NOW / 1000 + 1), body }],
    [
      'another key',
      { signature: signed(ts, body, generateKeyPairSync('ed25519').privateKey), timestamp: ts, body },
    ],
    ['a short signature', { signature: signed(ts, body).slice(0, 64), timestamp: ts, body }],
    ['not hex', { signature: 'z'.repeat(128), timestamp: ts, body }],
    ['a timestamp that is not a number', { signature: signed('1e9', body), timestamp: '1e9', body }],
  ])('refuses %s', (_what, s) => {
    expect(verifyInteraction(key, s, NOW)).toBe('bad_signature');
  });

  test('a signed but stale (or far future) timestamp is refused; minutes of clock skew are not', () => {
    const at = (sec: number) => {
      const t = String(NOW / 1000 + sec);
      return verifyInteraction(key, { signature: signed(t, body), timestamp: t, body }, NOW);
    };
    expect(at(-301)).toBe('stale');
    expect(at(301)).toBe('stale');
    expect(at(-299)).toBe('ok');
    expect(at(120)).toBe('ok');
  });

  test('a key that is not 64 hex characters is refused before use', () => {
    expect(() => publicKeyFromHex(hex.slice(2))).toThrow(/64 hex/);
    expect(() => publicKeyFromHex(`${hex.slice(2)}zz`)).toThrow(/64 hex/);
  });
});
