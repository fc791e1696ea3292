import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { securityHeaders } from './csp.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const ASSET_NAME = /^\/assets\/[A-Za-z0-9._-]+$/;

/** Serves the built renderer: `index.html` at `/`, hashed files under `/assets/`. */
export class StaticFiles {
  private readonly root: string;

  constructor(rendererDir: string) {
    this.root = resolve(rendererDir);
  }

  /** Answers `/` or `/index.html`; index is never cached so a rebuilt console loads at once. */
  async serveIndex(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let html: Buffer;
    try {
      html = await readFile(join(this.root, 'index.html'));
    } catch {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders(req) });
      res.end('The console UI is not built. Run `npm run build` and reload.\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(html.length),
      'Cache-Control': 'no-store',
      ...securityHeaders(req),
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  /** Answers `/assets/<name>`; names are content-hashed by Vite, so they may be cached for good. */
  async serveAsset(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    // Only flat, plain names: no traversal, no encoded separators, nothing outside the assets folder.
    const file = ASSET_NAME.test(pathname) ? join(this.root, pathname) : null;
    const info = file !== null && file.startsWith(this.root + sep) ? await stat(file).catch(() => null) : null;
    if (file === null || info === null || !info.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders(req) });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Cache-Control': 'public, max-age=31536000, immutable',
      ...securityHeaders(req),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }
}
