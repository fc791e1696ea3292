import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, MAX_POST_BYTES, type ErrorCode, type HealthInfo } from '@ic-audit/shared';
import type { IngestTarget } from '../collector/api.js';
import type { CollectorConfig } from '../settings/config.js';
import { UNAUTHORIZED_CSP, unauthorizedPage } from './unauthorized-page.js';
import { CloseCodes, IngestConnection } from './ingest-connection.js';
import { ConfigError, isLoopback } from '../settings/config.js';
import { parseFlatBody, parseIdempotencyKey } from './flat-body.js';
import { looksLegacy, serveLegacy } from './legacy-tcp.js';
import { hostAllowed, originAllowed, ownHosts, presentedToken, TOKEN_COOKIE, tokenEquals } from './security.js';

/** What the console layer plugs into the server (routes behind the console token). */
export interface ConsoleHandler {
  handleHttp(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

/** What the server answers for: /healthz always; bots only when `ingest` is a collector's ingest side. */
export interface ServerSource {
  health(): HealthInfo;
  /** Null on an instance that stores nothing (`--console-only`): bots get E_NO_INGEST with `noIngestReason`. */
  ingest: IngestTarget | null;
  noIngestReason?: string;
}

/** A listening collector server. */
export interface RunningServer {
  port: number;
  host: string;
  /** True when the port speaks HTTPS / WSS only. */
  tls: boolean;
  /**
   * Reads the certificate and key files again and serves them to new connections; open ones keep theirs.
   * Returns null, or why the files were not taken (the old certificate stays in use). A no-op without TLS.
   */
  reloadTls(): string | null;
  /** Stops accepting, closes every connection. */
  close(): Promise<void>;
}

/** The certificate, key and client CA of `config` as TLS options; throws ConfigError when a file cannot be read. */
export function readTlsFiles(
  config: Pick<CollectorConfig, 'tlsCert' | 'tlsKey' | 'tlsClientCa'>,
): SecureContextOptions {
  const read = (what: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const out: SecureContextOptions = { cert: read('certificate', config.tlsCert!), key: read('key', config.tlsKey!) };
  if (config.tlsClientCa !== null) out.ca = read('client CA', config.tlsClientCa);
  return out;
}

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

/** Reads a request body up to `limit` bytes; null when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * One port for everything: sniffs each connection's first bytes (legacy Python clients vs HTTP), then routes
 * HTTP: /healthz, POST /ingest, WS /ingest, and console routes (token + own Origin + own Host) to `consoleHandler`.
 */
export async function startServer(
  config: CollectorConfig,
  source: ServerSource,
  consoleToken: string,
  consoleHandler: ConsoleHandler | null,
): Promise<RunningServer> {
  let hosts = new Set<string>();
  const secure = config.tlsCert !== null;
  const requireClientCert = secure && config.tlsClientCa !== null;
  // A TLS port carries no legacy protocol: the Python clients speak plain TCP only, and it stays loopback-only.
  const collector = source.ingest;
  const noIngest = `this instance takes no events: ${source.noIngestReason ?? 'no ingest'}`;
  const legacyAllowed = collector !== null && !secure && isLoopback(config.host) && config.ingestToken === null;
  let tlsOptions: SecureContextOptions | null = secure ? readTlsFiles(config) : null;
  const ingestWss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const connections = new Set<IngestConnection>();
  const sockets = new Set<Socket>();

  ingestWss.on('connection', (ws) => {
    if (collector === null) {
      ws.send(JSON.stringify({ type: 'error', code: 'E_NO_INGEST', message: noIngest }));
      ws.close(CloseCodes.POLICY, noIngest.slice(0, 120));
      return;
    }
    // A configured token is checked in hello; a required client certificate was already checked at the upgrade.
    const conn = new IngestConnection(ws, collector, config.ingestToken);
    connections.add(conn);
    ws.on('close', () => connections.delete(conn));
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, config.heartbeatMs);
  heartbeat.unref();

  // On a loopback bind every legitimate client names this machine in Host: anything else is a DNS-rebinding page
  // (which could otherwise read /healthz), so it is refused on every route.
  const loopbackOnly = isLoopback(config.host);
  const loopbackHostOk = (req: IncomingMessage): boolean => !loopbackOnly || hostAllowed(req.headers.host, hosts);

  const consoleAllowed = (req: IncomingMessage, url: URL): 'ok' | 'origin' | 'token' => {
    if (!hostAllowed(req.headers.host, hosts) || !originAllowed(req.headers.origin, hosts, secure)) return 'origin';
    return tokenEquals(presentedToken(req, url), consoleToken) ? 'ok' : 'token';
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handleRequest(req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, 500, 'E_INTERNAL', err.message);
      else res.destroy();
    });
  };
  // rejectUnauthorized stays off even with a client CA: the console (a browser) has no client certificate, so the
  // check is made per route, on ingest only (see certRefused).
  const http: HttpServer =
    tlsOptions === null
      ? createHttpServer({ maxHeaderSize: 16_384 }, onRequest)
      : createHttpsServer(
          { maxHeaderSize: 16_384, ...tlsOptions, requestCert: requireClientCert, rejectUnauthorized: false },
          onRequest,
        );

  /** True when ingest requires a client certificate and this connection did not present a valid one. */
  const certRefused = (req: IncomingMessage): boolean =>
    requireClientCert && (req.socket as TLSSocket).authorized !== true;

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!originAllowed(req.headers.origin, hosts, secure) || !loopbackHostOk(req)) {
      return sendError(res, 403, 'E_FORBIDDEN_ORIGIN', 'requests from other web origins (or Host names) are refused');
    }
    if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, source.health());
    if (url.pathname === '/ingest') {
      if (req.method !== 'POST') return sendError(res, 405, 'E_NOT_FOUND', 'use POST (or a WebSocket upgrade)');
      return handlePost(req, res);
    }
    const verdict = consoleAllowed(req, url);
    if (verdict === 'origin') return sendError(res, 403, 'E_FORBIDDEN_ORIGIN', 'unknown Host or Origin');
    if (verdict === 'token') {
      if (url.pathname.startsWith('/api/')) return sendError(res, 401, 'E_UNAUTHORIZED', 'console token required');
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': UNAUTHORIZED_CSP });
      // The Host header passed hostAllowed() above: it is one of this server's own names and its real port.
      res.end(unauthorizedPage(`${secure ? 'https' : 'http'}://${req.headers.host ?? ''}`));
      return;
    }
    if (url.searchParams.has('token') && req.method === 'GET' && url.pathname === '/') {
      // Trade the URL token for an HttpOnly cookie and drop it from the address bar.
      res.writeHead(303, {
        'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(consoleToken)}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`,
        location: '/',
      });
      res.end();
      return;
    }
    if (consoleHandler !== null && consoleHandler.handleHttp(req, res, url)) return;
    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>ic-audit</title><p>ic-audit collector is running.</p>');
      return;
    }
    sendError(res, 404, 'E_NOT_FOUND', `no route ${req.method} ${url.pathname}`);
  }

  async function handlePost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (collector === null) return sendError(res, 503, 'E_NO_INGEST', noIngest);
    if (certRefused(req))
      return sendError(res, 401, 'E_CLIENT_CERT', 'a client certificate issued by the configured CA is required');
    if (config.ingestToken !== null && !tokenEquals(presentedToken(req, new URL('http://x/')), config.ingestToken)) {
      return sendError(res, 401, 'E_UNAUTHORIZED', 'ingest token missing or wrong');
    }
    const idempotency = parseIdempotencyKey(req.headers['idempotency-key']);
    if ('error' in idempotency) return sendError(res, 400, 'E_BAD_IDEMPOTENCY_KEY', idempotency.error);
    const body = await readBody(req, MAX_POST_BYTES);
    if (body === null) return sendError(res, 413, 'E_TOO_LARGE', `body larger than ${MAX_POST_BYTES} bytes`);
    const batch = parseFlatBody(body.toString('utf8'), Date.now() / 1000);
    if ('error' in batch)
      return sendError(res, batch.code === 'E_TOO_MANY_EVENTS' ? 413 : 400, batch.code as ErrorCode, batch.error);
    const key = idempotency.key;
    let accepted = batch.events.length;
    let duplicates: number[] = [];
    if (batch.events.length > 0) {
      const stored =
        key === null
          ? collector.acceptFlat(batch.events, 'http')
          : collector.acceptFlatOnce(batch.events, batch.indexes, key);
      if (typeof stored !== 'number' && 'ok' in stored) return sendError(res, 503, stored.code, stored.message);
      if (typeof stored !== 'number') ({ accepted, duplicates } = stored);
      // Duplicates are answered only once their first copy is durable too: drain covers everything appended so far.
      try {
        await collector.drain();
      } catch (err) {
        return sendError(res, 503, 'E_STORAGE', (err as Error).message);
      }
    }
    sendJson(
      res,
      200,
      key === null ? { accepted, rejected: batch.rejected } : { accepted, duplicates, rejected: batch.rejected },
    );
  }

  // An upgrade is handled outside the request path's catch: whatever a hostile request makes throw here must cost
  // that socket, never the process (a thrown error in an 'upgrade' listener would stop the collector).
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      handleUpgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  });

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!originAllowed(req.headers.origin, hosts, secure) || !loopbackHostOk(req)) return refuse(403, 'Forbidden');
    if (url.pathname === '/ingest') {
      if (certRefused(req)) return refuse(401, 'Unauthorized');
      ingestWss.handleUpgrade(req, socket, head, (ws) => ingestWss.emit('connection', ws, req));
      return;
    }
    const verdict = consoleAllowed(req, url);
    if (verdict !== 'ok')
      return refuse(verdict === 'origin' ? 403 : 401, verdict === 'origin' ? 'Forbidden' : 'Unauthorized');
    if (consoleHandler !== null && consoleHandler.handleUpgrade(req, socket, head)) return;
    refuse(404, 'Not Found');
  }

  // One TCP port. Plain: the first bytes tell a legacy Python client from HTTP. TLS: every byte is TLS, no sniffing.
  let net: Server;
  if (tlsOptions === null) {
    net = createNetServer({ pauseOnConnect: false }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', (first: Buffer) => {
        if (looksLegacy(first)) {
          if (!legacyAllowed || !isLoopback(socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
            socket.end('Legacy protocol disabled: use ws://HOST:PORT/ingest with the ingest token');
            return;
          }
          serveLegacy(socket, first, collector);
          return;
        }
        socket.pause();
        socket.unshift(first);
        http.emit('connection', socket);
        socket.resume();
      });
    });
  } else {
    net = http;
    http.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    // A plaintext client (ws://, http://) or a failed handshake: the socket is dropped, nothing else to do.
    http.on('tlsClientError', () => undefined);
  }

  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(config.port, config.host, () => {
      net.off('error', reject);
      resolve();
    });
  });
  const address = net.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  hosts = ownHosts(config.host, port, secure);

  return {
    port,
    host: config.host,
    tls: secure,
    reloadTls: () => {
      if (tlsOptions === null) return null;
      try {
        const next = readTlsFiles(config);
        // setSecureContext checks that key and certificate match before anything changes.
        (http as unknown as { setSecureContext(o: SecureContextOptions): void }).setSecureContext(next);
        tlsOptions = next;
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    close: async () => {
      clearInterval(heartbeat);
      const closed = new Promise<void>((res) => net.close(() => res()));
      for (const c of connections) c.close(CloseCodes.GOING_AWAY, 'collector shutting down');
      await consoleHandler?.close();
      ingestWss.close();
      setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 500).unref();
      await closed;
    },
  };
}
