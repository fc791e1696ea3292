import { EventEmitter } from 'node:events';
import type { DumpResult, ProjectInfo } from '@ic-audit/shared';
import { writeCompactDump } from '../dump/compact-dump.js';
import { writeDump } from '../dump/dump-writer.js';
import type { HeadSigner } from '../integrity/head-signer.js';
import type { DumpOptions } from './api.js';

/** What a {@link DumpRunner} needs from the collector. */
export interface DumpHost {
  dataDir: string;
  now: () => number;
  /** Resolves once everything accepted so far is durable. */
  drain(): Promise<void>;
  /** Metadata of a session, and every project with events in first-seen order. */
  sessionProject(session: string): ProjectInfo | undefined;
  projectNames(): string[];
  /** The head signer (set once the collector has opened). */
  signer(): HeadSigner;
}

/**
 * Writes the collector's dumps one at a time (so a dump file and its manifest always come from the same run), each
 * after a fresh signed head, and tells listeners where every dump went.
 */
export class DumpRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly emitter = new EventEmitter();

  constructor(private readonly host: DumpHost) {
    this.emitter.setMaxListeners(0);
  }

  /** Writes a dump (seed JSON, NDJSON or CSV) with its signed manifest. */
  dump(opts: DumpOptions): Promise<DumpResult> {
    const host = this.host;
    const run = this.queue.then(async () => {
      await host.drain();
      // A fresh head covers what the dump reads, and signs its manifest's anchor.
      const signer = host.signer();
      const head = await signer.sign('dump');
      const result = await writeDump(host.dataDir, opts, {
        now: host.now,
        sessionProject: (id) => host.sessionProject(id),
        projects: () => host.projectNames(),
        signer: { key: signer.signingKey, head: head ?? signer.newest },
      });
      this.emitter.emit('dumped', result);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes the v0.4.7 server's compact text dump into `dir`; returns its path. */
  async compact(dir: string, filters: readonly string[]): Promise<string> {
    await this.host.drain();
    const path = await writeCompactDump(this.host.dataDir, dir, filters, {
      now: this.host.now,
      sessionProject: (id) => this.host.sessionProject(id),
    });
    this.emitter.emit('dumped', { path, projects: 0, events: 0 });
    return path;
  }

  /** Called with every dump written (its path and counts). Returns an unsubscribe function. */
  onDumped(listener: (result: DumpResult) => void): () => void {
    this.emitter.on('dumped', listener);
    return () => this.emitter.off('dumped', listener);
  }
}
