/** Why the store failed; the lead maps codes to operator-facing text (the store never talks to users). */
export type StoreErrorCode =
  /** STORE_URL has an unknown scheme or an empty path. */
  | 'store_bad_url'
  /** The SQLite file could not be opened or created (permissions, a directory in the way, a corrupt file). */
  | 'store_open_failed'
  /** Another process holds the SQLite file (one process per file; several instances need Redis). */
  | 'store_in_use'
  /** Redis did not answer at startup (refused, DNS, TLS, auth, timeout). */
  | 'store_unreachable'
  /** An operation ran after closeStore. */
  | 'store_closed';

export class StoreError extends Error {
  override name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
