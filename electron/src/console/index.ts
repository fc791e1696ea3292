/**
 * Server side of the console: the built UI, the `/console` WebSocket channel and the `/api/*` routes, all talking
 * to the collector only through {@link CollectorApi}. The HTTP server checks token, Origin and Host first.
 */
import type http from 'node:http';
import type stream from 'node:stream';
import type { CollectorApi } from '../collector/api.js';
import { ConsoleHub } from './console-hub.js';
import { ConsoleRequests } from './console-requests.js';
import { securityHeaders } from './csp.js';
import { handleApi } from './http-routes.js';
import { StaticFiles } from './static-files.js';

export { consoleCsp, securityHeaders } from './csp.js';
export { unauthorizedPage } from '../server/unauthorized-page.js';
export { HUB_LIMITS } from './console-hub.js';

/** What the console server needs from its host. */
export interface ConsoleServerOptions {
  api: CollectorApi;
  /** Built renderer (renderer/dist). */
  rendererDir: string;
  /** Console token; the page itself never needs it again once the cookie is set, kept for future use. */
  token: string;
}

/** The console's request handlers, mounted by the collector's HTTP server. */
export interface ConsoleServer {
  /** Handles `/`, `/index.html`, `/assets/*`, `/api/*`; false when the path is not the console's. */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean;
  /** Handles the WebSocket upgrade of `/console`; false for any other path. */
  handleUpgrade(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): boolean;
  /** Closes every console connection and unsubscribes from the collector. */
  close(): Promise<void>;
}

/** Creates the console server over a collector. */
export function createConsoleServer(opts: ConsoleServerOptions): ConsoleServer {
  const requests = new ConsoleRequests(opts.api);
  const hub = new ConsoleHub(opts.api, requests);
  const files = new StaticFiles(opts.rendererDir);
  const failSafe = (req: http.IncomingMessage, res: http.ServerResponse) => (err: unknown) => {
    if (!res.headersSent) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders(req) });
      res.end(`console error: ${err instanceof Error ? err.message : String(err)}\n`);
    } else res.destroy();
  };
  return {
    handleHttp(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if ((path === '/' || path === '/index.html') && (method === 'GET' || method === 'HEAD')) {
        files.serveIndex(req, res).catch(failSafe(req, res));
        return true;
      }
      if (path.startsWith('/assets/') && (method === 'GET' || method === 'HEAD')) {
        files.serveAsset(req, res, path).catch(failSafe(req, res));
        return true;
      }
      if (path.startsWith('/api/')) {
        handleApi(opts.api, requests, req, res, url).catch(failSafe(req, res));
        return true;
      }
      return false;
    },
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== '/console') return false;
      hub.upgrade(req, socket, head);
      return true;
    },
    close: () => hub.close(),
  };
}
