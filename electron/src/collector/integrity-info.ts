import type { IntegrityInfo } from '@ic-audit/shared';
import { describeBreak, type ScanResult } from '../journal/scan.js';

/** The integrity verdict of a full chain scan, checked at `checkedAt` (epoch seconds). */
export function integrityFromScan(scan: ScanResult, checkedAt: number): IntegrityInfo {
  return {
    ok: scan.firstBreak === null,
    records: scan.records,
    first_bad_id: scan.firstBreak?.id ?? null,
    message:
      scan.firstBreak === null
        ? `chain intact (${scan.records} records)`
        : `chain broken: ${describeBreak(scan.firstBreak)}`,
    checked_at: checkedAt,
  };
}

/** The provisional verdict after a checkpoint start, until the full check in the background answers. */
export function verifyingIntegrity(records: number): IntegrityInfo {
  return {
    ok: true,
    records,
    first_bad_id: null,
    message: 'chain intact since the last checkpoint; full check running',
    checked_at: 0,
  };
}
