import { createPublicKey, type KeyObject, verify } from 'node:crypto';

// Discord signs every HTTP interaction with the application's Ed25519 key: `X-Signature-Ed25519` (hex) over the
// bytes of `X-Signature-Timestamp` (unix seconds) followed by the raw body. node:crypto checks it; the
// portal's hex key becomes a KeyObject through its JWK form (Node 16+ reads raw Ed25519 keys that way).

/** How old (or how far ahead) a signed timestamp may be: a captured request replayed later is refused. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

export type Verdict = 'ok' | 'bad_signature' | 'stale';

/** The portal's public key (64 hex characters) as a KeyObject; throws on anything else. */
export function publicKeyFromHex(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError('an Ed25519 public key is 64 hex characters');
  const x = Buffer.from(hex, 'hex').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

export interface Signed {
  signature: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
}

/** The signature first (a stale request is only told so once it is proven to come from Discord). */
export function verifyInteraction(
  key: KeyObject,
  { signature, timestamp, body }: Signed,
  nowMs: number,
  maxAgeMs = MAX_SIGNATURE_AGE_MS,
): Verdict {
  if (!signature || !timestamp) return 'bad_signature';
  if (!/^[0-9a-fA-F]{128}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) return 'bad_signature';
  const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  if (!verify(null, message, key, Buffer.from(signature, 'hex'))) return 'bad_signature';
  return Math.abs(nowMs - Number(timestamp) * 1000) > maxAgeMs ? 'stale' : 'ok';
}
