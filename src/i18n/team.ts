// Team controls' messages by reply language (src/core/team words every sentence through here).

import type { Lang } from './lang.ts';
import { type TeamMessages, teamEn } from './team.en.ts';
import { teamZh } from './team.zh.ts';

export type {
  AccountKind,
  AuditLine,
  OverQuota,
  QuotaPeriod,
  QuotaScope,
  QuotaUnit,
  TeamMessages,
  UsageRow,
} from './team.en.ts';

export function teamMessages(lang: Lang): TeamMessages {
  return lang === 'zh' ? teamZh : teamEn;
}
