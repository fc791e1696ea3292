import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import { MAX_QUERY_LIMIT, parseQueryFilter, type DumpFormat, type DumpScope } from '@ic-audit/shared';
import type { CollectorApi } from '../collector/api.js';
import type { ConsoleRequests } from './console-requests.js';
import { securityHeaders } from './csp.js';

const MAX_BODY = 64 * 1024;

function json(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...securityHeaders(req),
  });
  res.end(text);
}

function fail(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  json(req, res, status, { error: { code, message } });
}

/** Largest dump (plus manifest) the console's "Verify a dump" accepts in one request. */
const MAX_VERIFY_DUMP_BODY = 256 << 20;

async function readJson(req: http.IncomingMessage, max = MAX_BODY): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

/** Filter from query-string parameters (`project`, `type`, `text`, `range`, `from`, `to`). */
function filterFromUrl(url: URL): ReturnType<typeof parseQueryFilter> {
  const p = url.searchParams;
  const num = (k: string): number | null => (p.get(k) === null || p.get(k) === '' ? null : Number(p.get(k)));
  return parseQueryFilter({
    project: p.get('project') ?? '',
    type: p.get('type') ?? '',
    text: p.get('text') ?? '',
    range: p.get('range') ?? 'all',
    from: num('from'),
    to: num('to'),
  });
}

/**
 * `/api/*` routes of the console: state, queries, dumps (with a download route streaming the written file), verify.
 * Same answers as the WebSocket channel, for scripts and for the browser's download.
 */
export async function handleApi(
  api: CollectorApi,
  requests: ConsoleRequests,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  try {
    if (route === 'GET /api/health') return json(req, res, 200, api.health());
    if (route === 'GET /api/sessions') return json(req, res, 200, api.sessions());
    if (route === 'GET /api/records') {
      const filter = filterFromUrl(url);
      if (typeof filter === 'string') return fail(req, res, 400, 'E_BAD_FRAME', filter);
      const before = url.searchParams.get('before');
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
        return fail(req, res, 400, 'E_BAD_FRAME', `limit must be an integer in [1, ${MAX_QUERY_LIMIT}]`);
      }
      const beforeId = before === null ? null : Number(before);
      if (beforeId !== null && !Number.isSafeInteger(beforeId))
        return fail(req, res, 400, 'E_BAD_FRAME', 'before must be an id');
      return json(req, res, 200, await requests.query(filter, beforeId, limit));
    }
    if (route === 'POST /api/dump') {
      const body = await readJson(req).catch(() => undefined);
      if (typeof body !== 'object' || body === null)
        return fail(req, res, 400, 'E_BAD_DUMP', 'body must be a JSON object');
      const b = body as Record<string, unknown>;
      const scope = (b['scope'] ?? '30h') as DumpScope;
      const format = (b['format'] ?? 'json') as DumpFormat;
      if (!['30h', 'all', 'filter'].includes(scope))
        return fail(req, res, 400, 'E_BAD_DUMP', 'scope must be 30h, all or filter');
      if (!['json', 'ndjson', 'csv'].includes(format))
        return fail(req, res, 400, 'E_BAD_DUMP', 'format must be json, ndjson or csv');
      const filter = b['filter'] === undefined || b['filter'] === null ? null : parseQueryFilter(b['filter']);
      if (typeof filter === 'string') return fail(req, res, 400, 'E_BAD_DUMP', filter);
      return json(req, res, 200, await requests.dump(scope, format, filter));
    }
    if (route === 'POST /api/verify') return json(req, res, 200, await requests.verify());
    if (route === 'POST /api/verify-dump') {
      // Body: {"dump": "<the dump file's text>", "manifest": "<its .manifest.json>"}; answers the verdict.
      if (api.verifyDump === undefined) return fail(req, res, 404, 'E_NOT_FOUND', 'this console holds no signing key');
      const body = (await readJson(req, MAX_VERIFY_DUMP_BODY).catch(() => undefined)) as
        Record<string, unknown> | undefined;
      if (typeof body?.['dump'] !== 'string' || typeof body['manifest'] !== 'string') {
        return fail(req, res, 400, 'E_BAD_DUMP', 'body must be {"dump": text, "manifest": text} (at most 256 MiB)');
      }
      return json(req, res, 200, api.verifyDump(Buffer.from(body['dump'], 'utf8'), body['manifest']));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api/dumps/')) {
      return await download(requests, req, res, decodeURIComponent(url.pathname.slice('/api/dumps/'.length)), url);
    }
    return fail(req, res, 404, 'E_NOT_FOUND', `no route ${route}`);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const code = route.includes('dump') ? 'E_DUMP_FAILED' : 'E_STORAGE';
    return fail(req, res, 500, code, err instanceof Error ? err.message : String(err));
  }
}

async function download(
  requests: ConsoleRequests,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
  url: URL,
): Promise<void> {
  const file = await requests.dumpPath(name);
  if (file === null) return fail(req, res, 404, 'E_NOT_FOUND', 'no such dump');
  const info = await stat(file);
  const ext = name.slice(name.lastIndexOf('.') + 1);
  const saveAs = url.searchParams.get('as');
  const fileName = saveAs !== null && /^[A-Za-z0-9._-]{1,128}$/.test(saveAs) ? saveAs : `dumped_audit_trails.${ext}`;
  const type = ext === 'csv' ? 'text/csv' : ext === 'ndjson' ? 'application/x-ndjson' : 'application/json';
  res.writeHead(200, {
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': String(info.size),
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
    ...securityHeaders(req),
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
