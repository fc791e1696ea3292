import type { WebSocket } from 'ws';
import {
  MAX_BAD_FRAMES,
  MAX_FRAMES_PER_SECOND,
  parseClientFrame,
  type DumpFrame,
  type ErrorCode,
  type ReceivedEventsFrame,
  type HelloFrame,
} from '@ic-audit/shared';
import type { AckSink, IngestTarget } from '../collector/api.js';
import type { SessionState } from '../read-model/sessions.js';
import { tokenEquals } from './security.js';

/** WebSocket close codes used on /ingest (documented in docs/protocol.md). */
export const CloseCodes = {
  /** Policy violation: bad hello, unauthorized, flood, too many bad frames. */
  POLICY: 1008,
  /** Server going away (shutdown). */
  GOING_AWAY: 1001,
  /** Try again later: the journal cannot accept events now; reconnect and resend from welcome.acked. */
  TRY_AGAIN: 1013,
  /** Replaced by a newer connection of the same session. */
  REPLACED: 4000,
} as const;

/** Hello-time errors that close the connection (the peer is misconfigured or hostile). */
const FATAL_HELLO: ReadonlySet<string> = new Set(['E_BAD_HELLO', 'E_BAD_VERSION', 'E_UNAUTHORIZED', 'E_DUP_HELLO']);

/** One bot connection on /ingest: hello, then events and dump requests; acks flow back as the journal commits. */
export class IngestConnection implements AckSink {
  private state: SessionState | null = null;
  private badFrames = 0;
  /** Set once an events frame was refused for storage reasons: later frames in flight are ignored too. */
  private refusing = false;
  private windowStart = 0;
  private framesInWindow = 0;
  /** Set by the heartbeat; cleared by every pong. */
  awaitingPong = false;
  /** Reading is paused until the collector's backlog drains (see Collector.congested). */
  private paused = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly collector: IngestTarget,
    private readonly ingestToken: string | null,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => (this.awaitingPong = false));
    ws.on('close', () => {
      if (this.state !== null) this.collector.disconnected(this.state.session, this);
    });
    ws.on('error', () => undefined);
  }

  /** AckSink: every event of the session up to `seq` is durable. */
  ack(seq: number): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send('{"type":"ack","seq":' + seq + '}');
  }

  /** Heartbeat tick: terminate when the last ping went unanswered, else ping again. */
  heartbeat(): void {
    // While we are not reading, a pong could not be seen: the silence is ours, not the peer's.
    if (this.paused) return;
    if (this.awaitingPong) {
      this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ws.ping();
  }

  /** Closes the connection (server shutdown). */
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.awaitingPong = false;
    if (this.flooding()) return;
    if (isBinary) return this.refuse('E_BAD_FRAME', 'binary frames are not accepted; send JSON text frames');
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) {
      return isFatalHelloError(parsed.code)
        ? this.fatal(parsed.code, parsed.message)
        : this.refuse(parsed.code, parsed.message);
    }
    const frame = parsed.value;
    switch (frame.type) {
      case 'hello':
        return this.onHello(frame);
      case 'events':
        return this.onEvents(frame);
      case 'dump':
        return void this.onDump(frame);
      default: {
        const never: never = frame;
        return never;
      }
    }
  }

  /** Counts frames per second; a flood closes the connection. */
  private flooding(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    if (++this.framesInWindow <= MAX_FRAMES_PER_SECOND) return false;
    this.fatal('E_RATE_LIMIT', `more than ${MAX_FRAMES_PER_SECOND} frames per second`);
    return true;
  }

  private onHello(frame: HelloFrame): void {
    if (this.state !== null) return this.fatal('E_DUP_HELLO', 'hello was already received on this connection');
    if (this.ingestToken !== null && !tokenEquals(frame.token, this.ingestToken)) {
      return this.fatal('E_UNAUTHORIZED', 'ingest token missing or wrong');
    }
    const result = this.collector.hello(
      frame.session,
      frame.project,
      { source: 'ws', sdk: frame.sdk, host: frame.host, pid: frame.pid, dropped: frame.dropped },
      this,
    );
    if ('ok' in result) return this.fatal(result.code, result.message);
    this.state = result.state;
    this.ws.send(JSON.stringify({ type: 'welcome', v: 1, session: frame.session, acked: result.state.acked }));
  }

  private onEvents(frame: ReceivedEventsFrame): void {
    if (this.state === null) return this.refuse('E_NO_HELLO', 'send hello before events');
    // Frames pipelined behind a refused one must not be stored either: their seqs would jump past the refused
    // events, which would then count as a gap and be ignored when the client resends them.
    if (this.refusing) return;
    const result = this.collector.acceptEvents(this.state, frame.events);
    if ('ok' in result) {
      // Nothing of this frame was accepted: close so the client reconnects and resends from welcome.acked.
      this.refusing = true;
      this.send(result.code, result.message);
      this.ws.close(CloseCodes.TRY_AGAIN, result.code);
      return;
    }
    if (!this.paused && this.collector.congested()) {
      this.paused = true;
      this.awaitingPong = false;
      this.ws.pause();
      this.collector.whenDrained(this.resume);
    }
  }

  private readonly resume = (): void => {
    this.paused = false;
    if (this.ws.readyState === this.ws.OPEN) this.ws.resume();
  };

  private async onDump(frame: DumpFrame): Promise<void> {
    if (this.state === null && this.ingestToken !== null) {
      return this.refuse('E_NO_HELLO', 'send hello (with the ingest token) before dump');
    }
    try {
      const opts = { hours: frame.hours, all: frame.all, projects: frame.projects };
      const r = await this.collector.dump(opts);
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.ws.send(
        JSON.stringify({ type: 'dumped', id: frame.id, path: r.path, projects: r.projects, events: r.events }),
      );
    } catch (err) {
      this.send('E_DUMP_FAILED', `dump failed: ${(err as Error).message}`, frame.id);
    }
  }

  private send(code: ErrorCode, message: string, id?: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(
      JSON.stringify(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id }),
    );
  }

  /** Answers a bad frame with an error; too many bad frames close the connection. */
  private refuse(code: ErrorCode, message: string): void {
    this.send(code, message);
    if (++this.badFrames > MAX_BAD_FRAMES) this.fatal('E_BAD_FRAME', `more than ${MAX_BAD_FRAMES} bad frames`);
  }

  private fatal(code: ErrorCode, message: string): void {
    this.send(code, message);
    this.ws.close(CloseCodes.POLICY, code);
  }
}

/** True for hello-time error codes that end the connection. */
export function isFatalHelloError(code: string): boolean {
  return FATAL_HELLO.has(code);
}
