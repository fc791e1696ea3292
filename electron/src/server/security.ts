import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Host names under which the console is its own origin (loopback aliases plus the bind address), lower-cased as
 * `hostAllowed` compares them. On the scheme's default port (443 with TLS, 80 without) a browser leaves the port out
 * of `Host` and `Origin`, so the bare name counts too.
 */
export function ownHosts(bindHost: string, port: number, secure = false): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const bind = bindHost.toLowerCase();
  if (bind !== '0.0.0.0' && bind !== '::') names.add(bind.includes(':') ? `[${bind}]` : bind);
  const defaultPort = port === (secure ? 443 : 80);
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`);
    if (defaultPort) out.add(n);
  }
  return out;
}

/**
 * True when a request carries no browser Origin, or the console's own. A web page the trader visits must not
 * write or read the audit trail: its requests carry its own Origin, which is refused here.
 */
export function originAllowed(origin: string | undefined, hosts: ReadonlySet<string>, secure = false): boolean {
  if (origin === undefined) return true;
  // On a TLS port the console's own origin is https://; an http:// page of the same host is not the console.
  const m = (secure ? /^https:\/\/([^/]+)$/ : /^http:\/\/([^/]+)$/).exec(origin);
  return m !== null && hosts.has(m[1]!.toLowerCase());
}

/** True when the Host header names the console itself (defeats DNS rebinding on console routes). */
export function hostAllowed(host: string | undefined, hosts: ReadonlySet<string>): boolean {
  return host !== undefined && hosts.has(host.toLowerCase());
}

/** Constant-time string comparison for tokens. */
export function tokenEquals(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookie carrying the console token after the first `/?token=` visit. */
export const TOKEN_COOKIE = 'ic_audit_token';

/** The token a request presents: `?token=`, `Authorization: Bearer`, `X-IC-Audit-Token`, or the console cookie. */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q !== null) return q;
  const auth = req.headers['authorization'];
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-ic-audit-token'];
  if (typeof header === 'string') return header;
  const cookie = req.headers['cookie'];
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k !== TOKEN_COOKIE) continue;
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return null; // a malformed cookie is no token (and must never throw: this runs on every request)
      }
    }
  }
  return null;
}
