import type { NemoErrorCode, NemoErrorInfo } from './types.ts';

/** Every failure of the NemoVideo client. `code` maps to an i18n key; `kind` tells the family apart. */
export class NemoError extends Error implements NemoErrorInfo {
  override name = 'NemoError';
  readonly code: NemoErrorCode;
  readonly kind: NemoErrorInfo['kind'];
  readonly status?: number;
  readonly bodyCode?: number;
  readonly delivered?: boolean;
  readonly userId?: string;
  readonly method?: string;
  readonly path?: string;

  constructor(info: NemoErrorInfo, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = info.code;
    this.kind = info.kind;
    if (info.status !== undefined) this.status = info.status;
    if (info.bodyCode !== undefined) this.bodyCode = info.bodyCode;
    if (info.delivered !== undefined) this.delivered = info.delivered;
    if (info.userId !== undefined) this.userId = info.userId;
    if (info.method !== undefined) this.method = info.method;
    if (info.path !== undefined) this.path = info.path;
  }
}

export function isNemoError(e: unknown, code?: NemoErrorCode): e is NemoError {
  return e instanceof NemoError && (code === undefined || e.code === code);
}
