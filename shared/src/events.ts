/** Seed-compatible event type names; any other string is a valid custom event type. */
export const ProjectEvents = {
  BOOT: 'boot',
  ERROR: 'error',
  TRADE_OPENED: 'trade_opened',
  TRADE_CLOSED: 'trade_closed',
  UNCLASSIFIED_EVENT: 'unclassified_event',
} as const;

/** One of the predefined event types, or any custom string. */
export type ProjectEvent = (typeof ProjectEvents)[keyof typeof ProjectEvents] | (string & {});

/** Seed-compatible privilege names; any other string is a valid custom privilege. */
export const ProjectPrivileges = {
  EXECUTE_TRADE: 'execute_trade',
  POST_MORTEM_ANALYSIS: 'post_mortem_analysis',
  LIVE_MONITORING: 'live_monitoring',
  UTILITIES: 'utilities',
} as const;

/** One of the predefined privileges, or any custom string. */
export type ProjectPrivilege = (typeof ProjectPrivileges)[keyof typeof ProjectPrivileges] | (string & {});

/** The description the seed gave every boot event. */
export const BOOT_DESCRIPTION = 'Project was booted.';

/** Collector-written record types (source "collector"; a bot's event of the same type is a bot's event). */
export const CollectorEvents = {
  /** A legacy message was refused: `fields.reason`, `fields.code`, `fields.bytes`, `fields.excerpt` (capped). */
  REFUSED: 'ic-audit.refused',
  /** A session said hello: its project metadata, sdk, host, pid, dropped count. */
  SESSION: 'ic-audit.session',
  /** A session's seq jumped: `fields.from_seq`..`fields.to_seq` never arrived. */
  GAP: 'ic-audit.gap',
  /** A signed head (docs/integrity.md): `fields` is the signed head covering every record before this one. */
  HEAD: 'ic-audit.head',
} as const;
