import type { DumpFormat, DumpScope } from '@ic-audit/shared';
import { useEffect, useRef, useState } from 'react';
import { desktop } from '../net/desktop-bridge.js';
import { withToken } from '../net/token.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';

const SCOPES: Array<[DumpScope, string]> = [
  ['30h', 'last 30 h'],
  ['all', 'all time'],
  ['filter', 'current filter'],
];
const FORMATS: Array<[DumpFormat, string]> = [
  ['json', 'JSON (seed format)'],
  ['ndjson', 'NDJSON'],
  ['csv', 'CSV'],
];

/** Triggers the browser download of a dump the collector wrote. */
function download(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = withToken(`${url}?as=${encodeURIComponent(fileName)}`);
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Sends a picked dump and its manifest to the collector, which checks them against its key (docs/integrity.md). */
async function verifyDumpFiles(files: FileList | null): Promise<void> {
  const st = useStore.getState();
  const list = [...(files ?? [])];
  const manifest = list.find((f) => f.name.endsWith('.manifest.json'));
  const dump = list.find((f) => f !== manifest);
  if (manifest === undefined || dump === undefined) {
    st.setDump({ state: 'failed', message: 'Pick both files: the dump and its .manifest.json' });
    return;
  }
  st.setDump({ state: 'running', message: `Verifying ${dump.name}…` });
  try {
    const res = await fetch(withToken('/api/verify-dump'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dump: await dump.text(), manifest: await manifest.text() }),
    });
    const v = (await res.json()) as {
      ok?: boolean;
      events?: number;
      findings?: Array<{ code: string; severity: string; message: string }>;
      error?: { message: string };
    };
    if (v.error !== undefined) throw new Error(v.error.message);
    const errors = (v.findings ?? []).filter((f) => f.severity === 'error');
    st.setDump(
      v.ok
        ? { state: 'done', message: `${dump.name} matches its signed manifest (${v.events} events)` }
        : {
            state: 'failed',
            message: `${dump.name} was TAMPERED WITH: ${errors.map((f) => `${f.code}: ${f.message}`).join('; ')}`,
          },
    );
  } catch (err) {
    st.setDump({ state: 'failed', message: `Verify failed: ${err instanceof Error ? err.message : String(err)}` });
  }
}

/** Always-visible Dump button (one click: seed-format 30 h) with a menu for scope and format. */
export function DumpMenu() {
  const client = useClient();
  const status = useStore((s) => s.dump);
  const offline = useStore((s) => s.link !== 'live');
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<DumpScope>('30h');
  const [format, setFormat] = useState<DumpFormat>('json');
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent): void => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const run = async (s: DumpScope, f: DumpFormat): Promise<void> => {
    const st = useStore.getState();
    setOpen(false);
    st.setDump({ state: 'running', message: 'Writing dump…' });
    try {
      const d = await client.dump(s, f, s === 'filter' ? st.filter : null);
      const what = `${d.result.events} events, ${d.result.projects} projects`;
      const warning = d.result.warning === undefined ? {} : { warning: d.result.warning };
      const bridge = desktop();
      if (bridge?.saveDump) {
        const saved = await bridge.saveDump(d.result.path, d.file_name);
        st.setDump({
          state: 'done',
          message: saved ? `Saved ${what}` : "Save cancelled; the collector's copy:",
          path: saved ?? d.result.path,
          ...warning,
        });
        return;
      }
      if (d.download !== '') download(d.download, d.file_name);
      st.setDump({
        state: 'done',
        message: `Downloaded ${d.file_name} (${what}); the collector's copy:`,
        path: d.result.path,
        ...warning,
      });
    } catch (err) {
      st.setDump({ state: 'failed', message: `Dump failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  return (
    <div className="dump" ref={box}>
      <button
        type="button"
        className="primary"
        id="dump-button"
        disabled={status.state === 'running' || offline}
        onClick={() => void run('30h', 'json')}
        title={
          offline
            ? 'No connection to the collector: Dump is unavailable'
            : "Dump the last 30 hours in the seed's JSON format (d)"
        }
      >
        Dump 30 h
      </button>
      <button
        type="button"
        className="primary caret"
        aria-label="Dump options"
        aria-expanded={open}
        disabled={offline}
        title={offline ? 'No connection to the collector: Dump is unavailable' : 'Dump options'}
        onClick={() => setOpen(!open)}
      >
        ▾
      </button>
      {open && !offline && (
        <div className="menu" role="dialog" aria-label="Dump options">
          <fieldset>
            <legend>what</legend>
            {SCOPES.map(([v, label]) => (
              <label key={v}>
                <input type="radio" name="scope" checked={scope === v} onChange={() => setScope(v)} /> {label}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>format</legend>
            {FORMATS.map(([v, label]) => (
              <label key={v}>
                <input type="radio" name="format" checked={format === v} onChange={() => setFormat(v)} /> {label}
              </label>
            ))}
          </fieldset>
          <button type="button" className="primary" onClick={() => void run(scope, format)}>
            Dump
          </button>
          <label
            className="verify-dump"
            title="Pick a dump and its .manifest.json: checked against the collector's signing key"
          >
            Verify a dump…{' '}
            <input
              type="file"
              multiple
              data-testid="verify-dump"
              onChange={(e) => void verifyDumpFiles(e.currentTarget.files)}
            />
          </label>
        </div>
      )}
    </div>
  );
}
