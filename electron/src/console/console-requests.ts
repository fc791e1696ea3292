import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import {
  compileFilter,
  DEFAULT_DUMP_HOURS,
  DUMP_FILE_NAME,
  MAX_QUERY_LIMIT,
  toWireRow,
  type DumpFormat,
  type DumpResult,
  type DumpScope,
  type IntegrityInfo,
  type JournalRecord,
  type QueryFilter,
  type WireRow,
} from '@ic-audit/shared';
import type { CollectorApi, DumpOptions } from '../collector/api.js';

/** What a console dump produced: the collector's result plus where the browser downloads it. */
export interface ConsoleDump {
  result: DumpResult;
  /** Same-origin URL that streams the file. */
  download: string;
  /** Name the file should be saved under (the seed's name, extension by format). */
  file_name: string;
}

const DOWNLOAD_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** Seed file name with the format's extension. */
export function dumpFileName(format: DumpFormat): string {
  return format === 'json' ? DUMP_FILE_NAME : DUMP_FILE_NAME.replace(/\.json$/, `.${format}`);
}

/**
 * The console's requests against the collector (query, record by id, dump, verify), shared by the WebSocket
 * channel and the HTTP routes so both answer the same way.
 */
export class ConsoleRequests {
  /** Console dumps get their own folder and unique names: two clicks never overwrite each other's file. */
  readonly dumpDir: string;

  constructor(private readonly api: CollectorApi) {
    this.dumpDir = join(api.dataDir, 'dumps', 'console');
  }

  /** Records matching `filter`, newest first, below `before`; `more` when the page was full. */
  async query(
    filter: QueryFilter,
    before: number | null,
    limit: number,
  ): Promise<{ records: JournalRecord[]; more: boolean }> {
    const capped = Math.max(1, Math.min(MAX_QUERY_LIMIT, limit));
    const compiled = compileFilter(filter, Date.now() / 1000);
    const records = await this.api.query({
      ...(before !== null ? { before } : {}),
      ...(compiled.since !== undefined ? { since: compiled.since } : {}),
      ...(compiled.until !== undefined ? { until: compiled.until } : {}),
      ...(compiled.matchesAll ? {} : { match: compiled.match }),
      limit: capped,
      includeInternal: true,
    });
    return { records, more: records.length >= capped };
  }

  /** Same as {@link query}, as compact rows. */
  async queryRows(
    filter: QueryFilter,
    before: number | null,
    limit: number,
  ): Promise<{ rows: WireRow[]; more: boolean }> {
    const { records, more } = await this.query(filter, before, limit);
    return { rows: records.map(toWireRow), more };
  }

  /** One full record (with hashes) by id, or null. */
  async record(id: number): Promise<JournalRecord | null> {
    const found = await this.api.query({ before: id + 1, limit: 1, includeInternal: true, match: (r) => r.id === id });
    return found[0]?.id === id ? found[0] : null;
  }

  /** Writes a dump into the console dumps folder under a unique name. */
  async dump(scope: DumpScope, format: DumpFormat, filter: QueryFilter | null): Promise<ConsoleDump> {
    await mkdir(this.dumpDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `dump-${stamp}-${randomBytes(3).toString('hex')}-${scope}.${format}`;
    const opts: DumpOptions = { format, out: join(this.dumpDir, name) };
    if (scope === '30h') opts.hours = DEFAULT_DUMP_HOURS;
    else if (scope === 'all') opts.all = true;
    else {
      const compiled = compileFilter(
        filter ?? { project: '', type: '', text: '', range: 'all', from: null, to: null },
        Date.now() / 1000,
      );
      opts.all = true;
      if (!compiled.matchesAll) opts.filter = compiled.match;
    }
    const result = await this.api.dump(opts);
    const inFolder = dirname(resolve(result.path)) === resolve(this.dumpDir);
    return {
      result,
      download: inFolder ? `/api/dumps/${encodeURIComponent(basename(result.path))}` : '',
      file_name: dumpFileName(format),
    };
  }

  /** Absolute path of a console dump by its download name, or null when it is not one. */
  async dumpPath(name: string): Promise<string | null> {
    if (!DOWNLOAD_NAME.test(name) || name.startsWith('.')) return null;
    const file = resolve(this.dumpDir, name);
    if (!file.startsWith(resolve(this.dumpDir) + sep)) return null;
    const info = await stat(file).catch(() => null);
    return info !== null && info.isFile() ? file : null;
  }

  /** Walks the chain. */
  verify(): Promise<IntegrityInfo> {
    return this.api.verify();
  }
}
