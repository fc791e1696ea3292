import { CollectorEvents, isCollectorRecord, type IntegrityInfo, type ScannedRecord } from '@ic-audit/shared';
import { scanJournal, type ScanResult } from '../journal/scan.js';
import { keepTornTail } from '../journal/torn-tail.js';
import type { SessionTable } from '../read-model/sessions.js';
import { readValidCheckpoint } from './checkpoint.js';
import { integrityFromScan, verifyingIntegrity } from './integrity-info.js';
import { nowSeconds } from './journal-entries.js';

/** What a start learned from the journal (and its checkpoint) before opening it for appending. */
export interface Recovered {
  scan: ScanResult;
  /** True when a valid checkpoint let the start replay only what came after it (the chain is checked behind). */
  fromCheckpoint: boolean;
  integrity: IntegrityInfo;
  /** Records on disk, and bot events among them. */
  recordsOnDisk: number;
  totalEvents: number;
  /** Newest `ic-audit.head` record replayed (restores a head the heads file missed at a crash). */
  journalHead: ScannedRecord | null;
  /** A torn last line cut off and kept aside, if any. */
  tornFiles: string[];
}

/**
 * Replays the journal into `table`: from its checkpoint when one still matches the journal (the rest of the chain
 * is then checked in the background), else from the start with a full check. A torn tail is cut and kept aside.
 */
export async function recoverJournal(dir: string, table: SessionTable, now: () => number): Promise<Recovered> {
  let totalEvents = 0;
  let journalHead: ScannedRecord | null = null;
  const replay = (record: ScannedRecord): void => {
    if (record.event_type === CollectorEvents.HEAD) journalHead = record;
    table.replay(record);
    if (!isCollectorRecord(record)) totalEvents++;
  };
  const cp = readValidCheckpoint(dir);
  let scan: ScanResult;
  let integrity: IntegrityInfo;
  let recordsOnDisk: number;
  if (cp === null) {
    scan = await scanJournal(dir, replay);
    integrity = integrityFromScan(scan, nowSeconds(now));
    recordsOnDisk = scan.records;
  } else {
    table.restore(cp.sessions);
    totalEvents = cp.events;
    scan = await scanJournal(dir, replay, cp);
    recordsOnDisk = cp.records + scan.records;
    integrity = scan.firstBreak !== null ? integrityFromScan(scan, nowSeconds(now)) : verifyingIntegrity(recordsOnDisk);
  }
  const tornFiles = scan.tail === null ? [] : [keepTornTail(scan.tail.file, scan.tail.offset, now())];
  return { scan, fromCheckpoint: cp !== null, integrity, recordsOnDisk, totalEvents, journalHead, tornFiles };
}
