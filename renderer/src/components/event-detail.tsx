import { recordDisplayJson, type JournalRecord } from '@ic-audit/shared';
import { useEffect, useState } from 'react';
import { formatDateTime } from '../lib/format.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';

/** The selected record in full: JSON (as text), copy button, and its place in the hash chain. */
export function EventDetail() {
  const selectedId = useStore((s) => s.selectedId);
  const integrity = useStore((s) => s.integrity);
  const client = useClient();
  const [record, setRecord] = useState<JournalRecord | null>(null);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    setRecord(null);
    setError('');
    setCopied(false);
    if (selectedId === null) return;
    let live = true;
    client.record(selectedId).then(
      (r) => live && (r ? setRecord(r) : setError('record not found in the journal')),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [selectedId, client]);

  if (selectedId === null) return null;
  const json = record ? recordDisplayJson(record) : '';
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(json);
      setCopied(true);
    } catch {
      setError('clipboard not available');
    }
  };
  const chainOk =
    integrity !== null && (integrity.ok || (integrity.first_bad_id !== null && selectedId < integrity.first_bad_id));
  return (
    <aside className="detail" aria-label="Event detail">
      <header className="detail-head">
        <span>record #{selectedId}</span>
        <span className="grow" />
        <button type="button" onClick={() => void copy()} disabled={record === null}>
          {copied ? 'copied' : 'copy JSON'}
        </button>
        <button type="button" onClick={() => useStore.getState().select(null)} aria-label="Close detail">
          ✕
        </button>
      </header>
      {error !== '' && <div className="err">{error}</div>}
      {record && (
        <>
          <dl className="detail-facts">
            <dt>bot time</dt>
            <dd>{formatDateTime(record.timestamp)}</dd>
            <dt>received</dt>
            <dd>{formatDateTime(record.received_at)}</dd>
            <dt>session</dt>
            <dd>
              {record.session} · seq {record.seq} · {record.source}
            </dd>
            <dt>hash</dt>
            <dd className="hash" data-testid="record-hash">
              {record.hash}
            </dd>
            <dt>prev</dt>
            <dd className="hash">{record.prev_hash}</dd>
            <dt>chain</dt>
            <dd className={chainOk ? 'ok' : 'err'}>
              {integrity === null
                ? 'not checked'
                : chainOk
                  ? `intact at last check (${formatDateTime(integrity.checked_at)})`
                  : integrity.message}
            </dd>
          </dl>
          <pre className="json" data-testid="record-json">
            {json}
          </pre>
        </>
      )}
    </aside>
  );
}
