/** Wire shapes of protocol v1 (docs/protocol.md). Declared once here; parsed in parse-*.ts. */

/** Project metadata a bot declares in its hello (seed names). */
export interface ProjectInfo {
  project_name: string;
  project_market: string;
  project_description: string;
  project_privileges: string[];
}

/** JSON values allowed inside `fields`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Free-form event fields (the seed's `**kwargs`). */
export type EventFields = Record<string, JsonValue>;

/** client -> server: first frame of every ingest connection. */
export interface HelloFrame {
  type: 'hello';
  v: 1;
  session: string;
  project: ProjectInfo;
  sdk: string;
  host: string;
  pid: number;
  dropped: number;
  token?: string;
}

/** One event inside an `events` frame. */
export interface WireEvent {
  seq: number;
  event_type: string;
  event_description: string;
  /** Bot clock, epoch seconds with sub-millisecond fraction. */
  timestamp: number;
  fields: EventFields;
}

/** client -> server: a batch of events, seqs strictly increasing. */
export interface EventsFrame {
  type: 'events';
  events: WireEvent[];
}

/** client -> server: write a dump (the seed's trigger_audit_dumping). */
export interface DumpFrame {
  type: 'dump';
  id: string;
  /** Window in hours; ignored when `all` is true. Default 30. */
  hours: number;
  all: boolean;
  /** Only these projects; empty means every project. */
  projects: string[];
}

/** Any frame a client may send on /ingest. */
export type ClientFrame = HelloFrame | EventsFrame | DumpFrame;

/** server -> client: answer to hello. `acked` is the highest seq of this session already durable (0 if new). */
export interface WelcomeFrame {
  type: 'welcome';
  v: 1;
  session: string;
  acked: number;
}

/** server -> client: every event of the session with seq <= `seq` is fsync'd to disk. */
export interface AckFrame {
  type: 'ack';
  seq: number;
}

/** server -> client: a dump was written. */
export interface DumpedFrame {
  type: 'dumped';
  id: string;
  path: string;
  projects: number;
  events: number;
}

/** server -> client: a frame was refused. `id` echoes a dump request id when there is one. */
export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  id?: string;
}

/** Any frame the server may send on /ingest. */
export type ServerFrame = WelcomeFrame | AckFrame | DumpedFrame | ErrorFrame;

/** A flat seed-style event (POST /ingest body lines, legacy TCP): every unknown key is a field. */
export interface FlatEvent {
  project_name: string;
  project_market: string;
  project_description: string;
  project_privileges: string[];
  event_type: string;
  event_description: string;
  timestamp: number;
  fields: EventFields;
}

/** Successful parse result. */
export interface Parsed<T> {
  readonly ok: true;
  readonly value: T;
}
