import { randomUUID } from 'node:crypto';
import { parseServerFrame } from '@ic-audit/shared';
import { DEFAULTS } from './defaults.js';
import { createDebugLog } from './debug-log.js';
import { envVar, num } from './options.js';
import { ENV } from './defaults.js';
import { projectInfo } from './project-info.js';
import { openConnection, type Connection, type WebSocketConstructor } from './transport.js';
import { SDK_NAME, SDK_VERSION } from './version.js';

/** Options of {@link triggerAuditDumping}. */
export interface DumpOptions {
  /** Collector ingest URL; default `IC_AUDIT_URL`, else `ws://127.0.0.1:9324/ingest`. */
  url?: string;
  /** Ingest token; default `IC_AUDIT_TOKEN`. */
  token?: string;
  /** Window in hours (default 30, the seed's). */
  hours?: number;
  /** Give up (resolve null) after this long (default DEFAULTS.dumpTimeoutMs). */
  timeoutMs?: number;
  /** Project name the hello declares when a token is used (the protocol then needs a hello first). */
  projectName?: string;
  /** `wss://` only: PEM CA file trusted besides the system store; default `IC_AUDIT_CA`. */
  caFile?: string;
  /** `wss://` only: SHA-256 fingerprint the collector's certificate must have; default `IC_AUDIT_CERT_FINGERPRINT`. */
  certFingerprint?: string;
  /** `wss://` only: PEM client certificate and key (`--tls-client-ca`); default `IC_AUDIT_CLIENT_CERT` / `_KEY`. */
  clientCertFile?: string;
  clientKeyFile?: string;
  debug?: boolean;
  webSocket?: WebSocketConstructor;
}

/** What the collector wrote. */
export interface DumpInfo {
  /** Absolute path of the dump file (seed format: project name -> events). */
  path: string;
  projects: number;
  events: number;
}

/** Project name of the hello {@link triggerAuditDumping} sends with a token, when none is given. */
export const DUMP_CLIENT_PROJECT = 'ic-audit-dump';

/**
 * The seed's `trigger_audit_dumping()`: asks the collector to write the last `hours` of every project to its
 * dumps folder. Resolves the written file's path and counts, or null when the collector is unreachable, refuses,
 * or does not answer within the timeout. Never rejects.
 */
export function triggerAuditDumping(options?: DumpOptions): Promise<DumpInfo | null> {
  return new Promise<DumpInfo | null>((resolve) => {
    let conn: Connection | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let settled = false;
    const finish = (result: DumpInfo | null): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      conn?.destroy();
      resolve(result);
    };
    try {
      const o = typeof options === 'object' && options !== null ? options : {};
      const log = createDebugLog(o.debug === true);
      const url = typeof o.url === 'string' && o.url.length > 0 ? o.url : (envVar(ENV.url) ?? DEFAULTS.url);
      const token = typeof o.token === 'string' && o.token.length > 0 ? o.token : envVar(ENV.token);
      const hours =
        typeof o.hours === 'number' && o.hours > 0 && Number.isFinite(o.hours) ? o.hours : DEFAULTS.dumpHours;
      const timeoutMs = num(o.timeoutMs, DEFAULTS.dumpTimeoutMs, 0);
      const id = randomUUID();
      const dump = { type: 'dump', id, hours };
      const hello: Record<string, unknown> = {
        type: 'hello',
        v: 1,
        session: randomUUID(),
        project: projectInfo(o.projectName ?? DUMP_CLIENT_PROJECT, '', 'Requests audit dumps.', []),
        sdk: `${SDK_NAME}@${SDK_VERSION}`,
        host: '',
        pid: typeof process === 'object' ? process.pid : 0,
        dropped: 0,
      };
      if (token !== undefined) hello['token'] = token;
      // Ref'd on purpose: a script awaiting the dump must not exit before the answer (bounded by timeoutMs).
      timer = setTimeout(() => {
        log('E_CONNECT', `no dump answer from ${url} within ${timeoutMs} ms`);
        finish(null);
      }, timeoutMs);
      conn = openConnection(
        url,
        {
          // Without a token the collector takes a dump request before any hello; skipping the hello keeps a
          // pseudo-project for the requester out of the console. With a token, the hello carries it.
          onOpen: () => conn?.send(JSON.stringify(token === undefined ? dump : hello)),
          onMessage: (text) => {
            const parsed = parseServerFrame(text);
            if (!parsed.ok) return;
            const f = parsed.value;
            if (f.type === 'welcome') conn?.send(JSON.stringify(dump));
            else if (f.type === 'dumped' && f.id === id)
              finish({ path: f.path, projects: f.projects, events: f.events });
            else if (f.type === 'error') {
              log('E_REFUSED', `${f.code}: ${f.message}`);
              finish(null);
            }
          },
          onClose: (reason) => {
            log('E_CONNECT', `${url}: ${reason}`);
            finish(null);
          },
        },
        {
          connectTimeoutMs: timeoutMs,
          webSocket: o.webSocket,
          tls: {
            caFile: o.caFile ?? envVar(ENV.caFile),
            certFingerprint: o.certFingerprint ?? envVar(ENV.certFingerprint),
            clientCertFile: o.clientCertFile ?? envVar(ENV.clientCertFile),
            clientKeyFile: o.clientKeyFile ?? envVar(ENV.clientKeyFile),
          },
        },
      );
    } catch {
      finish(null);
    }
  });
}
