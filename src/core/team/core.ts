// What the parts of team controls share: the configuration, the store, the four owners (policy, quotas,
// ledger, token vault) and the two bounded logs (usage records, audit log).

import type { Config } from '../../config.ts';
import type { NemoClient } from '../../nemo/types.ts';
import type { Logger, Secrets } from '../../secrets.ts';
import type { StatePort } from '../../store/state.ts';
import type { InboundMessage } from '../ports.ts';
import type { Ledger } from './ledger.ts';
import type { Policy } from './policy.ts';
import type { JobUnit, Quotas, Rule } from './quotas.ts';
import type { RingLog } from './records.ts';
import type { TokenVault } from './tokens.ts';
import type { Who } from './who.ts';

/** One job as the usage report and the JSON-lines export show it. */
export interface UsageEntry {
  kind: 'turn' | 'export';
  /** `tg:123`; empty when no sender is known (a resumed job). */
  user: string;
  name: string;
  chat: string;
  /** Measured credits; null when the balance could not be read. */
  credits: number | null;
  /** The credits are this job's share of spend that overlapped other jobs on the same account. */
  shared: boolean;
  ok: boolean;
  /** Whose account paid: the chat's own token, the operator's NEMO_TOKEN or a free trial. */
  account: 'own' | 'operator' | 'trial';
}

/** An administrative change or a refusal. Never a token. */
export interface AuditEntry {
  by: string;
  action:
    | 'allow'
    | 'deny'
    | 'quota'
    | 'admin-add'
    | 'admin-remove'
    | 'token-link'
    | 'token-clear'
    | 'token-exposed'
    | 'refused'
    | 'over-quota'
    | 'left-group';
  target?: string;
  /** `global`, or the chat whose own list changed. */
  scope?: string;
  detail?: string;
}

export interface TeamCore {
  config: Config;
  state: StatePort;
  nemo: NemoClient;
  logger: Logger;
  secrets: Secrets;
  policy: Policy;
  quotas: Quotas;
  ledger: Ledger;
  usage: RingLog<UsageEntry>;
  audit: RingLog<AuditEntry>;
  /** Present when BOT_SECRET_KEY is set. */
  vault: TokenVault | undefined;
  now(): number;
  /** Appends to the audit log; a store failure is logged, never thrown (the change itself was made). */
  note(entry: AuditEntry): Promise<void>;
}

/** What the door decided for one message, kept (by message and by its ChatCtx) until `settle`. */
export interface Ticket {
  who: Who;
  msg: InboundMessage;
  /** Quota rules at admission; empty when the chat pays with its own token. */
  rules: Rule[];
  /** Units reserved and not used yet. */
  units: JobUnit[];
  /** Bookkeeping of finished exports, done outside the chat's lane; `settle` waits for it. */
  pending: Array<Promise<unknown>>;
}

/** `YYYY-MM-DD HH:MM UTC`. */
export const utc = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
