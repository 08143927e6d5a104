import type { Secrets } from '../secrets.ts';
import { NemoError } from './errors.ts';
import { logPath } from './http.ts';
import type { NemoErrorCode, NemoErrorInfo } from './types.ts';

// "The backend said no": body `code` first, then `{success:false}`, then the HTTP status (docs/nemo-contract.md).

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const BODY_CODES: Record<number, NemoErrorCode> = {
  1001: 'token_invalid',
  1002: 'session_not_found',
  2001: 'no_credits',
  4001: 'unsupported_file',
  4002: 'file_too_large',
};

function bodyCodeOf(json: unknown): number | undefined {
  if (!isObj(json)) return undefined;
  const c = typeof json.code === 'string' && /^\d+$/.test(json.code) ? Number(json.code) : json.code;
  return typeof c === 'number' && c !== 0 ? c : undefined;
}

function messageOf(json: unknown, text: string): string {
  if (isObj(json)) {
    for (const k of ['message', 'msg', 'error', 'detail']) {
      const v = json[k];
      if (typeof v === 'string' && v) return v;
      if (v !== undefined && v !== null && typeof v !== 'string') return JSON.stringify(v);
    }
  }
  return text.slice(0, 200);
}

export interface RefusalContext {
  status: number;
  json: unknown;
  text: string;
  method: string;
  path: string;
  secrets: Secrets;
  /** The anonymous-token endpoint: 400 and 429 have their own meanings there. */
  tokenRoute?: boolean;
  userId?: string;
  /** Chat sends: a refusal before the stream opened was not delivered. */
  delivered?: boolean;
}

/**
 * The backend said no? Body `code` first, then `{success:false}`, then the HTTP status (docs/nemo-contract.md).
 * Returns undefined for a success.
 */
export function refusal(c: RefusalContext): NemoError | undefined {
  const bodyCode = bodyCodeOf(c.json);
  const ok = c.status >= 200 && c.status < 300;
  let code: NemoErrorCode | undefined;
  const known = bodyCode !== undefined ? BODY_CODES[bodyCode] : undefined;
  if (known) code = known;
  else if (!ok) code = statusCode(c);
  // Some answers carry an HTTP status as body code (`{code: 429}`): read it as that status.
  else if (bodyCode !== undefined)
    code = bodyCode >= 400 && bodyCode < 600 ? statusCode({ ...c, status: bodyCode }) : 'backend';
  else if (isObj(c.json) && c.json.success === false) code = 'backend';
  if (code === undefined) return undefined;
  const info: NemoErrorInfo = {
    code,
    kind: 'refused',
    status: c.status,
    method: c.method,
    path: logPath(c.path),
  };
  if (bodyCode !== undefined) info.bodyCode = bodyCode;
  if (c.delivered !== undefined) info.delivered = c.delivered;
  if (code === 'no_credits' && c.userId?.startsWith('anon_')) info.userId = c.userId;
  const said = c.secrets.redact(messageOf(c.json, c.text)).replace(/\s+/g, ' ').slice(0, 300);
  const tag = bodyCode !== undefined ? `${c.status}/${bodyCode}` : `${c.status}`;
  return new NemoError(info, `${c.method} ${logPath(c.path)}: ${code} (${tag})${said ? `: ${said}` : ''}`);
}

function statusCode(c: RefusalContext): NemoErrorCode {
  switch (c.status) {
    case 400:
      return c.tokenRoute ? 'client_id_missing' : 'backend';
    case 401:
      return 'token_invalid';
    case 402:
      return 'export_blocked';
    case 404: {
      // ADK answers an unknown session with 404 {"detail": "Session not found: …"}.
      const detail = isObj(c.json) ? c.json.detail : undefined;
      return typeof detail === 'string' && /session not found/i.test(detail)
        ? 'session_not_found'
        : 'backend';
    }
    case 429:
      return c.tokenRoute ? 'trial_limit' : 'rate_limited';
    default:
      return 'backend';
  }
}

/** A schema mismatch as a NemoError (never echoes the body: it may carry a token). */
export function badResponse(method: string, path: string, issue: string): NemoError {
  return new NemoError(
    { code: 'bad_response', kind: 'schema', method, path: logPath(path) },
    `${method} ${logPath(path)}: unexpected answer (${issue})`,
  );
}
