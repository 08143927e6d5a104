import { badResponse, refusal } from './classify.ts';
import { NemoError } from './errors.ts';
import { attribution, Deadline, type HttpDeps, readJson, send, transportError } from './http.ts';
import { anonTokenData, businessEnvelope } from './schemas.ts';
import type { AnonToken, Credentials, NemoPlatform, SecretSink } from './types.ts';

// Tokens: an operator token is used as is; an anonymous identity gets its token from the backend, and gets
// a new one (same client id) when the backend says 1001. Every token and client id goes to the account's
// secret sink the moment it is known.

const TOKEN_PATH = '/api/auth/anonymous-token';

export async function requestAnonToken(
  deps: HttpDeps,
  args: { clientId: string; platform: NemoPlatform; timeoutMs: number; sink?: SecretSink },
  signal?: AbortSignal,
): Promise<AnonToken> {
  const sink = args.sink ?? deps.secrets;
  sink.add(args.clientId);
  const deadline = new Deadline(signal, args.timeoutMs);
  try {
    const res = await send(deps, {
      method: 'POST',
      path: TOKEN_PATH,
      headers: { ...attribution(deps.version, args.platform), 'x-client-id': args.clientId },
      deadline,
      headersTimeoutMs: args.timeoutMs,
      bodyTimeoutMs: args.timeoutMs,
    });
    const { json, text } = await readJson(res);
    const err = refusal({
      status: res.statusCode,
      json,
      text,
      method: 'POST',
      path: TOKEN_PATH,
      secrets: deps.secrets,
      tokenRoute: true,
    });
    if (err) throw err;
    const env = businessEnvelope.safeParse(json);
    const data = anonTokenData.safeParse(env.success ? env.data.data : undefined);
    if (!data.success) throw badResponse('POST', TOKEN_PATH, 'no token');
    sink.add(data.data.token);
    const out: AnonToken = { token: data.data.token };
    if (data.data.user_id) out.userId = data.data.user_id;
    if (data.data.expires_at !== undefined && data.data.expires_at !== null)
      out.expiresAt = String(data.data.expires_at);
    if (typeof data.data.credits === 'number') out.credits = data.data.credits;
    return out;
  } catch (e) {
    throw transportError(e, { method: 'POST', path: TOKEN_PATH, deadline, secrets: deps.secrets });
  } finally {
    deadline.clear();
  }
}

export interface AuthOptions {
  deps: HttpDeps;
  platform: NemoPlatform;
  timeoutMs: number;
  onCredentials?: (c: Credentials) => void | Promise<void>;
  /** Where this account's secrets are registered. */
  sink: SecretSink;
}

/** The credentials of one account, with single-flight acquisition and refresh. */
export class Auth {
  #creds: Credentials;
  #pending: Promise<string> | undefined;
  readonly #o: AuthOptions;

  constructor(creds: Credentials, o: AuthOptions) {
    this.#creds = { ...creds };
    this.#o = o;
    o.sink.add(creds.kind === 'operator' ? creds.token : creds.clientId);
    if (creds.kind === 'anonymous') o.sink.add(creds.token);
  }

  get credentials(): Credentials {
    return { ...this.#creds };
  }

  get userId(): string | undefined {
    return this.#creds.kind === 'anonymous' ? this.#creds.userId : undefined;
  }

  /** Learns the `anon_…` id from a session or state answer (for the 2001 registration link). */
  noteUserId(userId: string | undefined | null): void {
    if (this.#creds.kind === 'anonymous' && userId && !this.#creds.userId) this.#creds.userId = userId;
  }

  get canRefresh(): boolean {
    return this.#creds.kind === 'anonymous';
  }

  /** The token to send; acquires one for a fresh anonymous identity. */
  async token(signal?: AbortSignal): Promise<string> {
    const c = this.#creds;
    if (c.kind === 'operator') return c.token;
    if (c.token && !expired(c.expiresAt)) return c.token;
    return this.#acquire(signal);
  }

  /** After a 1001 with `stale`: a new token for the same client id (once, even when calls race). */
  async refresh(stale: string, signal?: AbortSignal): Promise<string> {
    const c = this.#creds;
    if (c.kind === 'operator') {
      throw new NemoError({ code: 'token_invalid', kind: 'refused' }, 'the operator token was refused');
    }
    if (c.token && c.token !== stale) return c.token;
    return this.#acquire(signal);
  }

  #acquire(signal?: AbortSignal): Promise<string> {
    if (!this.#pending) {
      this.#pending = this.#doAcquire(signal).finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  async #doAcquire(signal?: AbortSignal): Promise<string> {
    const c = this.#creds;
    if (c.kind !== 'anonymous') throw new Error('unreachable: operator credentials');
    const t = await requestAnonToken(
      this.#o.deps,
      { clientId: c.clientId, platform: this.#o.platform, timeoutMs: this.#o.timeoutMs, sink: this.#o.sink },
      signal,
    );
    const next: Credentials = { kind: 'anonymous', clientId: c.clientId, token: t.token };
    const userId = t.userId ?? c.userId;
    if (userId) next.userId = userId;
    if (t.expiresAt) next.expiresAt = t.expiresAt;
    this.#creds = next;
    try {
      await this.#o.onCredentials?.({ ...next });
    } catch (e) {
      this.#o.deps.logger.warn({ err: e instanceof Error ? e.name : 'error' }, 'onCredentials failed');
    }
    return t.token;
  }
}

/** A known expiry in the past (ISO string or epoch seconds/ms): refresh before the call instead of after a 1001. */
function expired(expiresAt: string | undefined): boolean {
  if (!expiresAt) return false;
  const n = Number(expiresAt);
  const ms = Number.isFinite(n) ? (n < 1e12 ? n * 1000 : n) : Date.parse(expiresAt);
  return Number.isFinite(ms) && ms <= Date.now();
}
