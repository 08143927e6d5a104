// One look at NemoVideo when the bot starts with an operator token (NEMO_TOKEN): a rejected token or a wrong
// NEMO_API_URL is logged once, in words the operator can act on. It never fails the start: an unreachable
// backend is only a warning, and users get a clear answer per message anyway.

import { isNemoError } from '../nemo/errors.ts';
import type { NemoClient } from '../nemo/types.ts';
import type { Logger } from '../secrets.ts';
import { errorCode } from './errors.ts';

export type PreflightResult = 'ok' | 'token_rejected' | 'url_wrong' | 'unreachable' | 'failed';

export async function preflight(
  nemo: NemoClient,
  token: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<PreflightResult> {
  const log = logger.child({ mod: 'preflight' });
  try {
    const c = await nemo.account({ kind: 'operator', token }, { platform: 'terminal' }).credits(signal);
    log.info({ available: c.available }, 'NemoVideo reachable; the operator account has credits');
    return 'ok';
  } catch (e) {
    if (signal.aborted) return 'failed';
    const code = errorCode(e);
    if (code === 'token_invalid') {
      log.error(
        { code },
        'NEMO_TOKEN was rejected by NemoVideo: every chat is told the operator token was rejected until a valid one is set',
      );
      return 'token_rejected';
    }
    if (code === 'backend_url_wrong') {
      log.error(
        { code },
        'NEMO_API_URL answers 404 on NemoVideo routes: the URL looks wrong (a stray path?)',
      );
      return 'url_wrong';
    }
    if (code === 'unreachable' || code === 'timeout') {
      log.warn({ code }, 'NemoVideo is unreachable at start; users get an error until it is back');
      return 'unreachable';
    }
    log.warn({ code: isNemoError(e) ? e.code : undefined }, 'the start-up credits check failed');
    return 'failed';
  }
}
