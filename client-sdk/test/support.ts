/** Test helpers for client-sdk: free ports, journal reading, polling, child `node` scripts. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { AuditNotifier } from '@ic-audit/client';
import type { JournalRecord } from '@ic-audit/shared';
import { afterEach } from 'vitest';
import type { CollectorHandle } from '../../test/helpers/collector.js';

/** Folder of the child scripts used by the process-level tests. */
export const FIXTURES = resolve(import.meta.dirname, 'fixtures');

/** A TCP port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Every journal record in `<dataDir>/journal/*.jsonl`, in file then line order. */
export function readJournal(dataDir: string): JournalRecord[] {
  const dir = join(dataDir, 'journal');
  if (!existsSync(dir)) return [];
  const out: JournalRecord[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.length > 0) out.push(JSON.parse(line) as JournalRecord);
    }
  }
  return out;
}

/** Records of one session that came from the bot (not collector-written `ic-audit.*` records). */
export function botRecords(records: JournalRecord[], session: string): JournalRecord[] {
  return records.filter((r) => r.session === session && r.source !== 'collector');
}

/** Polls `cond` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}

/** Result of a child `node` run. */
export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  ms: number;
  /** Date.now() at exit. */
  exitedAt: number;
}

/** Runs `node <fixture> ...args` with extra env; kills it after `killAfterMs` (then code is null). */
export function runNode(
  fixture: string,
  args: string[],
  env: Record<string, string>,
  killAfterMs = 30_000,
): Promise<NodeRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', join(FIXTURES, fixture), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, IC_AUDIT_URL: '', IC_AUDIT_TOKEN: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((res) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      res({ code, signal, stdout, stderr, ms: Date.now() - started, exitedAt: Date.now() });
    });
  });
}

/**
 * What a test file opens, closed after each test in reverse order: `track` a notifier (closed without waiting),
 * `own` a collector whose handle restarts replace (the newest one is closed).
 */
export function closedAfterEach(): {
  track(n: AuditNotifier): AuditNotifier;
  own(c: CollectorHandle): { current: CollectorHandle };
} {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return {
    track(n) {
      cleanups.push(() => n.close(0));
      return n;
    },
    own(c) {
      const ref = { current: c };
      cleanups.push(() => ref.current.close());
      return ref;
    },
  };
}
