/**
 * A bot speaking the ingest protocol over a raw `ws` client (hello, events, awaited acks), for console tests that
 * need protocol-level control (console-channel.test.ts). Deliberately independent of client-sdk so those tests
 * exercise the wire contract itself; the browser e2e test uses the real SDK instead.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** One event to send; seq is assigned by the bot. */
export interface BotEvent {
  event_type: string;
  event_description: string;
  timestamp?: number;
  fields?: Record<string, unknown>;
}

/** A connected bot session. */
export interface TestBot {
  session: string;
  /** Sends events in frames of at most 1000 and resolves once all are acked (durable). */
  send(events: BotEvent[]): Promise<void>;
  /** Closes the connection (the collector marks the session disconnected). */
  close(): Promise<void>;
}

/** Connects a bot for `project` and waits for its welcome. */
export async function connectBot(
  ingestUrl: string,
  project: { name: string; market?: string; description?: string; privileges?: string[] },
): Promise<TestBot> {
  const session = randomUUID();
  const ws = new WebSocket(ingestUrl);
  let seq = 0;
  let acked = 0;
  const waiters: Array<{ seq: number; resolve: () => void; reject: (e: Error) => void }> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; seq?: number; message?: string };
    if (frame.type === 'ack') {
      acked = frame.seq!;
      for (const w of waiters.splice(0)) {
        if (w.seq <= acked) w.resolve();
        else waiters.push(w);
      }
    } else if (frame.type === 'error') {
      for (const w of waiters.splice(0)) w.reject(new Error(frame.message));
    }
  });
  // A collector that cuts the connection (hostile frame, shutdown) must fail pending sends, not hang them.
  ws.on('close', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`ingest connection closed (${code})`));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const welcome = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.send(
    JSON.stringify({
      type: 'hello',
      v: 1,
      session,
      project: {
        project_name: project.name,
        project_market: project.market ?? 'FOREX',
        project_description: project.description ?? `${project.name} test bot`,
        project_privileges: project.privileges ?? ['execute_trade'],
      },
      sdk: 'console-test@0',
      host: 'test-host',
      pid: process.pid,
      dropped: 0,
    }),
  );
  await welcome;
  return {
    session,
    async send(events) {
      for (let i = 0; i < events.length; i += 1000) {
        const frame = events.slice(i, i + 1000).map((e) => ({
          seq: ++seq,
          event_type: e.event_type,
          event_description: e.event_description,
          timestamp: e.timestamp ?? Date.now() / 1000,
          fields: e.fields ?? {},
        }));
        ws.send(JSON.stringify({ type: 'events', events: frame }));
      }
      const target = seq;
      if (acked >= target) return;
      await new Promise<void>((resolve, reject) => waiters.push({ seq: target, resolve, reject }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
