import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { callback } from './rest.ts';
import type { DiscordState } from './state.ts';
import type { FakeInteraction } from './types.ts';

// Discord's side of HTTP interactions: with an Interactions Endpoint URL set (`fake.options.interactionsUrl`),
// interactions are POSTed there instead of going out on the gateway, signed with the application's Ed25519
// key (`X-Signature-Ed25519` over `X-Signature-Timestamp` + body). The answer to the POST is the interaction's
// first response (PONG, a deferral, a message, a modal) and counts like a callback; follow-ups then use the
// webhook routes of rest.ts.

export interface HttpAnswer {
  status: number;
  body: unknown;
}

export interface PostOptions {
  /** Unix seconds to sign (default: now); an old one makes a stale request. */
  timestamp?: number;
  /** Sign with another key (a forged request). */
  signWith?: KeyObject;
  /** Change the body after signing it (a tampered request). */
  tamper?: (body: string) => string;
  /** Leave the signature headers out. */
  unsigned?: boolean;
}

/** The application's key pair; tests may pass their own private key in `options.signingKey`. */
export function signingKeys(privateKey?: KeyObject): { privateKey: KeyObject; publicKeyHex: string } {
  const key = privateKey ?? generateKeyPairSync('ed25519').privateKey;
  const jwk = key.export({ format: 'jwk' });
  return { privateKey: key, publicKeyHex: Buffer.from(jwk.x ?? '', 'base64url').toString('hex') };
}

/** POSTs a body to an Interactions Endpoint URL as Discord does. */
export async function signedPost(
  url: string,
  privateKey: KeyObject,
  payload: unknown,
  opts: PostOptions = {},
): Promise<HttpAnswer> {
  const body = JSON.stringify(payload);
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), opts.signWith ?? privateKey).toString('hex');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
  };
  if (!opts.unsigned) {
    headers['x-signature-ed25519'] = signature;
    headers['x-signature-timestamp'] = timestamp;
  }
  const res = await fetch(url, { method: 'POST', headers, body: opts.tamper ? opts.tamper(body) : body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body: parsed };
}

/** Delivers one interaction to the endpoint; the answer acknowledges it like a callback would. */
export async function deliverOverHttp(
  state: DiscordState,
  url: string,
  privateKey: KeyObject,
  record: FakeInteraction,
  payload: unknown,
): Promise<void> {
  let answer: HttpAnswer;
  try {
    answer = await signedPost(url, privateKey, payload);
  } catch (e) {
    answer = { status: 0, body: String(e) };
  }
  record.http = answer;
  if (answer.status === 200 && answer.body && typeof answer.body === 'object') {
    const result = callback(state, record.id, record.token, answer.body as Record<string, unknown>, []);
    if (result.status >= 400) record.http = { status: result.status, body: result.body };
  }
  state.changed();
}
