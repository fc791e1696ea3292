import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type NetConnectOpts, type Socket as NetSocket } from 'node:net';
import {
  checkServerIdentity,
  rootCertificates as tlsRootCertificates,
  connect as tlsConnect,
  type ConnectionOptions,
  type PeerCertificate,
} from 'node:tls';
import { MAX_FRAME_BYTES } from '@ic-audit/shared';
import WsWebSocket from 'ws';

const decoder = new TextDecoder();

/** A standard (WHATWG) WebSocket constructor, e.g. `globalThis.WebSocket` or `ws`. */
export type WebSocketConstructor = new (url: string) => StandardWebSocket;

/** The part of the standard WebSocket interface the SDK uses. */
export interface StandardWebSocket {
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

/** What the transport reports; each callback is called from the event loop, never synchronously from open(). */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  /** Called exactly once, whether the socket never opened, failed or closed. */
  onClose(reason: string): void;
}

/** An open or opening connection. */
export interface Connection {
  /** Bytes queued in the socket but not yet written. */
  readonly bufferedAmount: number;
  /** Sends one text frame (a string, or its UTF-8 bytes); never throws (a failed send surfaces as onClose). */
  send(text: string | Uint8Array): void;
  /** Tears the connection down at once (no closing handshake: nothing may keep the process alive). */
  destroy(): void;
}

// ws lets us create the TCP socket ourselves: unref'd from the start, so an open (or opening) connection never
// keeps a finished bot alive. These mirror ws's own netConnect / tlsConnect.
function unrefNetConnect(options: NetConnectOpts & { socketPath?: string }): NetSocket {
  (options as { path?: string | undefined }).path = options.socketPath;
  const socket = netConnect(options);
  socket.unref();
  return socket;
}

function unrefTlsConnect(options: ConnectionOptions & { host?: string }): NetSocket {
  (options as { path?: string | undefined }).path = undefined;
  if (!options.servername && options.servername !== '') {
    options.servername = isIP(options.host ?? '') ? '' : options.host;
  }
  const socket = tlsConnect(options);
  socket.unref();
  return socket;
}

/** How a `wss://` connection checks the collector, beyond the system trust store and the host name. */
export interface TlsTrust {
  /** PEM file of CA certificates trusted besides the system store (read at each connection attempt). */
  caFile?: string | undefined;
  /** SHA-256 fingerprint (hex, colons optional) the collector's certificate must have. */
  certFingerprint?: string | undefined;
  /** PEM client certificate and its key, for a collector that requires them (`--tls-client-ca`). */
  clientCertFile?: string | undefined;
  clientKeyFile?: string | undefined;
}

/** A fingerprint as `AB:CD:...` (Node's `fingerprint256` form), whatever its case and separators. */
export function normalizeFingerprint(text: string): string {
  return (
    text
      .replace(/[^0-9a-fA-F]/g, '')
      .toUpperCase()
      .match(/../g) ?? []
  ).join(':');
}

/** ws options for a `wss://` connection: the extra CA (with the system store), client certificate, pinned fingerprint. */
function tlsOptions(trust: TlsTrust): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Read here, not once: a renewed CA file is picked up on the next reconnect. A read error throws to the caller,
  // which counts it like any failed connection.
  if (trust.caFile !== undefined) out['ca'] = [...rootCertificates(), readFileSync(trust.caFile, 'utf8')];
  if (trust.clientCertFile !== undefined && trust.clientKeyFile !== undefined) {
    out['cert'] = readFileSync(trust.clientCertFile, 'utf8');
    out['key'] = readFileSync(trust.clientKeyFile, 'utf8');
  }
  if (trust.certFingerprint !== undefined) {
    const pin = normalizeFingerprint(trust.certFingerprint);
    out['checkServerIdentity'] = (host: string, cert: PeerCertificate): Error | undefined => {
      const err = checkServerIdentity(host, cert);
      if (err !== undefined) return err;
      if (cert.fingerprint256 === pin) return undefined;
      return Object.assign(new Error(`certificate fingerprint ${cert.fingerprint256} is not the pinned ${pin}`), {
        code: 'E_CERT_PIN',
      });
    };
  }
  return out;
}

// Giving `ca` replaces Node's default trust: add the system roots back so a public certificate still verifies.
let roots: string[] | null = null;
function rootCertificates(): string[] {
  roots ??= [...tlsRootCertificates];
  return roots;
}

/**
 * Opens a WebSocket. In Node the `ws` package is used unless `custom` is given: Node's global WebSocket (Node 22+)
 * cannot be unref'd and would keep every finished bot alive. Elsewhere (Bun, Deno, browsers) the global one.
 */
export function openConnection(
  url: string,
  handlers: SocketHandlers,
  opts: { connectTimeoutMs: number; webSocket?: WebSocketConstructor | undefined; tls?: TlsTrust | undefined },
): Connection {
  const Ctor =
    opts.webSocket ?? (isNode() ? undefined : (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket);
  return Ctor === undefined
    ? openWs(url, handlers, opts.connectTimeoutMs, opts.tls ?? {})
    : openStandard(Ctor, url, handlers);
}

/** Ends a connection exactly once: the first reason reaches `onClose`, later ones are dropped. */
class Ending {
  closed = false;
  constructor(private readonly h: Pick<SocketHandlers, 'onClose'>) {}
  readonly done = (reason: string): void => {
    if (this.closed) return;
    this.closed = true;
    this.h.onClose(reason);
  };
}

/** The Connection over either socket kind: a failed send or a destroy ends it exactly once, via `done`. */
function wrap(
  sock: { readonly bufferedAmount: number },
  sendText: (text: string | Uint8Array) => void,
  end: () => void,
  done: (reason: string) => void,
): Connection {
  return {
    get bufferedAmount() {
      return sock.bufferedAmount;
    },
    send(text) {
      try {
        sendText(text);
      } catch (err) {
        done(`send failed: ${String(err)}`);
      }
    },
    destroy() {
      try {
        end();
      } catch {
        // already gone
      }
      done('destroyed');
    },
  };
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * The masking key of every frame the SDK sends: all zeros, so neither side spends CPU on masking (ws then skips both
 * the mask and the unmask). Masking (RFC 6455 §10.3) protects proxies from frames crafted by hostile script in a
 * browser; a bot's own connection carries no such script. Measured under B2: about 10% of the SDK's CPU per event
 * and 2–3% of the collector's. Browsers and other clients keep masking as usual; the collector accepts both.
 */
export function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}

function openWs(url: string, h: SocketHandlers, connectTimeoutMs: number, trust: TlsTrust): Connection {
  const secure = url.startsWith('wss:') || url.startsWith('https:');
  const extra = secure ? tlsOptions(trust) : {};
  const ending = new Ending(h);
  const done = ending.done;
  const ws = new WsWebSocket(url, {
    ...extra,
    handshakeTimeout: connectTimeoutMs,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
    followRedirects: false,
    generateMask: zeroMask,
    createConnection: (secure ? unrefTlsConnect : unrefNetConnect) as never,
  });
  ws.on('open', () => {
    // Belt and braces: ws may have wrapped the socket; keep it unref'd.
    (ws as unknown as { _socket?: NetSocket })._socket?.unref?.();
    if (!ending.closed) h.onOpen();
  });
  ws.on('message', (data, isBinary) => {
    if (!ending.closed && !isBinary) h.onMessage(String(data));
  });
  ws.on('error', (err) => done(String((err as { code?: unknown }).code ?? err.message)));
  ws.on('close', (code) => done(`closed (${code})`));
  // UTF-8 bytes go out as they are, flagged as a text frame (what the collector requires).
  return wrap(
    ws,
    (text) => ws.send(text, { binary: false }),
    () => ws.terminate(),
    done,
  );
}

function openStandard(Ctor: WebSocketConstructor, url: string, h: SocketHandlers): Connection {
  const ending = new Ending(h);
  const done = ending.done;
  const ws = new Ctor(url);
  ws.onopen = () => {
    if (!ending.closed) h.onOpen();
  };
  ws.onmessage = (ev) => {
    if (!ending.closed && typeof ev.data === 'string') h.onMessage(ev.data);
  };
  ws.onerror = () => done('error');
  ws.onclose = () => done('closed');
  // A standard WebSocket sends bytes as a binary frame: hand it the text.
  return wrap(
    ws,
    (text) => ws.send(typeof text === 'string' ? text : decoder.decode(text)),
    () => ws.close(),
    done,
  );
}
