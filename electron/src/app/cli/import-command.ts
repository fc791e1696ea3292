import { statSync } from 'node:fs';
import type { CollectorConfig } from '../../settings/config.js';
import { Collector } from '../../collector/collector.js';
import { DataDirError, ensureDataDir, hasJournal } from '../../settings/data-dir.js';
import { acquireLock } from '../../settings/data-dir-lock.js';
import { importSeedDump } from '../import-seed.js';
import { startProgress } from './progress.js';

/** `ic-audit import FILE`: streams a Python dump into the journal. Resolves with the exit code. */
export async function runImport(config: CollectorConfig, file: string, quiet: boolean): Promise<number> {
  // Checked before anything is created, so a mistyped FILE leaves no new data dir behind.
  const st = statSync(file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) {
    throw new DataDirError('E_DATA_DIR', `${file} is not a file (import takes a dumped_audit_trails.json)`);
  }
  // Importing is how a history starts, so a new data dir is fine; it is said, in case the path was mistyped.
  if (!hasJournal(config.dataDir))
    process.stderr.write(`ic-audit: no journal in ${config.dataDir} yet: creating one\n`);
  ensureDataDir(config.dataDir);
  const release = await acquireLock(config.dataDir);
  try {
    const collector = await Collector.open(config);
    const progress = startProgress('import: checking', st.size, 'bytes', { quiet });
    let phase: 'check' | 'import' = 'check';
    try {
      const r = await importSeedDump(file, collector, {
        onProgress: (p, bytes, _total, events) => {
          if (p !== phase) progress.phase('import', (phase = p) === 'import' ? st.size : null);
          progress.update(bytes, p === 'import' ? `${events.toLocaleString('en-US')} events` : undefined);
        },
        // Each refusal as it is found (a file may hold millions: none is kept); the line is cleared first.
        onReject: (x) => {
          progress.clear();
          process.stdout.write(`rejected ${x.project}[${x.index}]: ${x.error}\n`);
        },
      });
      progress.end();
      process.stdout.write(
        `imported ${r.events} events of ${r.projects} projects` +
          (r.skipped.length ? `; already imported: ${r.skipped.join(', ')}` : '') +
          (r.rejected > 0 ? `; ${r.rejected} rejected (listed above)` : '') +
          '\n',
      );
    } finally {
      progress.end();
      await collector.close();
    }
  } finally {
    release();
  }
  return 0;
}
