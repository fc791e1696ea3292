import { protocolError, type ProtocolError } from './errors.js';
import type { Parsed, ServerFrame } from './protocol.js';
import { isObject } from './validate.js';

/** Parses a frame sent by the collector on /ingest (used by clients such as the SDK). */
export function parseServerFrame(text: string): Parsed<ServerFrame> | ProtocolError {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return protocolError('E_BAD_JSON', 'frame is not valid JSON');
  }
  if (!isObject(v)) return protocolError('E_BAD_FRAME', 'frame must be a JSON object');
  switch (v['type']) {
    case 'welcome':
      return typeof v['session'] === 'string' && Number.isSafeInteger(v['acked'])
        ? { ok: true, value: { type: 'welcome', v: 1, session: v['session'], acked: v['acked'] as number } }
        : protocolError('E_BAD_FRAME', 'bad welcome');
    case 'ack':
      return Number.isSafeInteger(v['seq'])
        ? { ok: true, value: { type: 'ack', seq: v['seq'] as number } }
        : protocolError('E_BAD_FRAME', 'bad ack');
    case 'dumped':
      return typeof v['path'] === 'string'
        ? {
            ok: true,
            value: {
              type: 'dumped',
              id: String(v['id'] ?? ''),
              path: v['path'],
              projects: Number(v['projects'] ?? 0),
              events: Number(v['events'] ?? 0),
            },
          }
        : protocolError('E_BAD_FRAME', 'bad dumped');
    case 'error': {
      const frame: ServerFrame = { type: 'error', code: String(v['code'] ?? ''), message: String(v['message'] ?? '') };
      if (typeof v['id'] === 'string') frame.id = v['id'];
      return { ok: true, value: frame };
    }
    default:
      return protocolError('E_UNKNOWN_TYPE', 'unknown server frame type');
  }
}
