/** Wire shapes of protocol v1 (docs/protocol.md). Declared once here; parsed in parse-*.ts. */

/** Privileges as a bot declared them: the Python client sends `[null]` for none, and that is kept as sent. */
export type Privileges = Array<string | null>;

/** Project metadata a bot declares in its hello (seed names). */
export interface ProjectInfo {
  project_name: string;
  project_market: string;
  project_description: string;
  project_privileges: Privileges;
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

/** The exact text of an event's fields, as the collector stores it (see raw-json.ts). */
export interface ExactFields {
  /** Standard JSON, every token as sent; a bare NaN / Infinity / -Infinity appears as that string. */
  fields_json: string;
  /** The exact text when it is not standard JSON (it holds NaN / Infinity / -Infinity); null otherwise. */
  fields_text: string | null;
}

/**
 * An event of an `events` frame as the collector reads it: the wire keys, its fields as exact text only (the collector
 * never needs them as an object; `JSON.parse(fields_json)` when a reader does), and its type and description as
 * JSON text, ready for the journal line.
 */
export type ReceivedEvent = Omit<WireEvent, 'event_description' | 'fields'> &
  ExactFields & {
    event_description: string | null;
    /** `event_type` JSON-encoded (the text received when it had no escapes). */
    event_type_json: string;
    /** `event_description` JSON-encoded, or `null`. */
    event_description_json: string;
    /** `timestamp` as the journal line spells it, `String(timestamp)` (the text received when that was already it). */
    timestamp_json: string;
  };

/** An `events` frame as the collector parsed it. */
export interface ReceivedEventsFrame {
  type: 'events';
  events: ReceivedEvent[];
}

/** Any frame a client may send on /ingest, as the collector parses it. */
export type ClientFrame = HelloFrame | ReceivedEventsFrame | DumpFrame;

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

/**
 * A flat seed-style event (POST /ingest body lines, legacy TCP, import): every key that is not a record column is a
 * field, kept in the order sent with its exact text (project metadata included); `layout` says where the columns
 * stood among them, so a seed dump gives the object back in the order the bot wrote it.
 */
export interface FlatEvent extends ExactFields {
  project_name: string;
  project_market: string;
  project_description: string;
  project_privileges: Privileges;
  event_type: string;
  event_description: string | null;
  timestamp: number;
  fields: EventFields;
  /** Where the record columns stood among the keys sent, or null for the Python client's order (parse-flat.ts). */
  layout: number[] | null;
}

/** Successful parse result. */
export interface Parsed<T> {
  readonly ok: true;
  readonly value: T;
}
