/**
 * The SDK's frames on the wire, read byte by byte by a raw TCP server (no WebSocket library on this side): masked
 * as RFC 6455 requires of a client, with an all-zero key (transport.ts zeroMask), so the payload bytes are the JSON
 * text itself and neither side spends CPU on masking.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditNotifier } from '../src/notifier.js';
import { zeroMask } from '../src/transport.js';

interface Frame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  key: number[];
  payload: Buffer;
}

/** Splits complete client frames off the front of `buf`; returns them and the rest. */
function readFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const keyLen = masked ? 4 : 0;
    if (buf.length - at < head + keyLen + len) break;
    const key = [...buf.subarray(at + head, at + head + keyLen)];
    const payload = Buffer.from(buf.subarray(at + head + keyLen, at + head + keyLen + len));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, key, payload });
    at += head + keyLen + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/** An unmasked server text frame (payload under 64 KiB). */
function serverText(text: string): Buffer {
  const body = Buffer.from(text);
  const head =
    body.length < 126
      ? Buffer.from([0x81, body.length])
      : Buffer.from([0x81, 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, body]);
}

/** A raw WebSocket endpoint: answers the upgrade, welcomes the hello, acks events, records every frame. */
async function rawServer(): Promise<{ server: Server; url: string; frames: Frame[]; sockets: Set<Socket> }> {
  const frames: Frame[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(buf.subarray(0, end).toString('latin1'))![1]!;
        const accept = createHash('sha1')
          .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
          .digest('base64');
        sock.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        upgraded = true;
        buf = buf.subarray(end + 4);
      }
      const { frames: got, rest } = readFrames(buf);
      buf = rest;
      for (const f of got) {
        frames.push(f);
        const msg = JSON.parse(f.payload.toString('utf8')) as {
          type: string;
          session?: string;
          events?: { seq: number }[];
        };
        if (msg.type === 'hello')
          sock.write(serverText(JSON.stringify({ type: 'welcome', v: 1, session: msg.session, acked: 0 })));
        if (msg.type === 'events')
          sock.write(serverText(JSON.stringify({ type: 'ack', seq: msg.events!.at(-1)!.seq })));
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return { server, url: `ws://127.0.0.1:${port}/ingest`, frames, sockets };
}

describe('frame masking', () => {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  it('zeroMask fills the key with zeros', () => {
    const key = new Uint8Array([1, 2, 3, 4]);
    zeroMask(key);
    expect([...key]).toEqual([0, 0, 0, 0]);
  });

  it('sends every frame masked, with an all-zero key, as a text frame whose bytes are the JSON', async () => {
    const srv = await rawServer();
    opened.push(async () => {
      for (const s of srv.sockets) s.destroy();
      await new Promise((res) => srv.server.close(res));
    });
    const n = new AuditNotifier({ projectName: 'mask-bot', projectMarket: 'FOREX', url: srv.url });
    opened.push(() => n.close(1_000).then(() => undefined));
    for (let i = 0; i < 50; i++) n.send('tick', 'masked?', { i, text: 'é€' });
    expect(await n.flush(5_000)).toBe(true);
    const types = srv.frames.map((f) => (JSON.parse(f.payload.toString('utf8')) as { type: string }).type);
    expect(types[0]).toBe('hello');
    expect(types).toContain('events');
    for (const f of srv.frames) {
      expect(f.masked).toBe(true);
      expect(f.key).toEqual([0, 0, 0, 0]);
      expect(f.opcode).toBe(1);
      expect(f.fin).toBe(true);
    }
    const events = srv.frames
      .map((f) => JSON.parse(f.payload.toString('utf8')) as { type: string; events?: { fields: { text: string } }[] })
      .flatMap((m) => m.events ?? []);
    expect(events).toHaveLength(51);
    expect(events.at(-1)!.fields.text).toBe('é€');
  });
});
