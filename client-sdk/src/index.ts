/**
 * @ic-audit/client: report a bot's boots, errors, trades and custom events to the ic-audit console.
 * See README.md for the quick start, the options table and the delivery guarantees.
 */
export { AuditNotifier, type NotifierStats } from './notifier.js';
export { type AuditNotifierOptions } from './options.js';
export { fastAudit, type FastAuditOptions } from './fast-audit.js';
export { triggerAuditDumping, DUMP_CLIENT_PROJECT, type DumpInfo, type DumpOptions } from './dump.js';
export { DEFAULTS, ENV } from './defaults.js';
export { backoffDelay } from './backoff.js';
export { sanitizeFields, Markers } from './sanitize-fields.js';
export { sanitizeEventType, sanitizeDescription, truncateString } from './text.js';
export { DebugCodes, type DebugCode } from './debug-log.js';
export { SDK_NAME, SDK_VERSION } from './version.js';
export type { WebSocketConstructor, StandardWebSocket } from './transport.js';
export {
  ProjectEvents,
  ProjectPrivileges,
  BOOT_DESCRIPTION,
  type ProjectEvent,
  type ProjectPrivilege,
  type EventFields,
  type JsonValue,
} from '@ic-audit/shared';
