/**
 * Every limit the collector enforces, in one place. Clients (the SDK) truncate to these before sending so that a
 * well-behaved bot never sees a rejection; the collector rejects anything beyond them with a stable error code.
 * Documented in docs/protocol.md ("Limits"); tests exercise each one at and beyond the edge.
 */

/** Largest WebSocket text frame accepted on /ingest or /console, in bytes (UTF-8). */
export const MAX_FRAME_BYTES = 1_048_576;
/** Most events one `events` frame may carry. */
export const MAX_EVENTS_PER_FRAME = 1_000;
/**
 * Longest `event_type`, in characters. Every limit on a value is at least what fits in the Python tool's largest
 * message (1,024 bytes, one `recv`), so nothing its server kept is refused here.
 */
export const MAX_EVENT_TYPE_LENGTH = 1_024;
/** Longest `event_description`, in characters. */
export const MAX_DESCRIPTION_LENGTH = 4_096;
/** Longest `project_name`, `project_market`, in characters. */
export const MAX_PROJECT_NAME_LENGTH = 1_024;
/** Longest `project_description`, in characters. */
export const MAX_PROJECT_DESCRIPTION_LENGTH = 4_096;
/** Most entries in `project_privileges`. */
export const MAX_PRIVILEGES = 256;
/** Longest single privilege name, in characters. */
export const MAX_PRIVILEGE_LENGTH = 1_024;
/** Most top-level keys in an event's `fields`. */
export const MAX_FIELDS_PER_EVENT = 256;
/** Longest field name, in characters. */
export const MAX_FIELD_KEY_LENGTH = 128;
/** Longest string anywhere inside `fields`, in characters. */
export const MAX_FIELD_STRING_LENGTH = 8_192;
/** Deepest nesting of objects/arrays inside `fields` (the `fields` object itself is depth 1). */
export const MAX_FIELD_DEPTH = 64;
/** Largest `fields` object once serialized as JSON, in characters. */
export const MAX_FIELDS_JSON_LENGTH = 32_768;
/** Session ids: 8 to 64 characters of [A-Za-z0-9_-] (a UUID fits). */
export const MAX_SESSION_LENGTH = 64;
/** Shortest accepted session id. */
export const MIN_SESSION_LENGTH = 8;
/** Longest `sdk`, `host` strings in a hello. */
export const MAX_HELLO_STRING_LENGTH = 256;
/** Largest `POST /ingest` body, in bytes. */
export const MAX_POST_BYTES = 8_388_608;
/** Most events one `POST /ingest` body may carry. */
export const MAX_POST_EVENTS = 10_000;
/** Longest `Idempotency-Key` header of a `POST /ingest`. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
/** Largest legacy (Python tool) TCP message, in bytes. */
export const MAX_LEGACY_BYTES = 1_048_576;
/** Most frames per second one ingest connection may send before it is closed as a flood. */
export const MAX_FRAMES_PER_SECOND = 5_000;
/** Bad frames tolerated on one connection before it is closed as hostile. */
export const MAX_BAD_FRAMES = 32;
/** Longest dump request id, in characters. */
export const MAX_REQUEST_ID_LENGTH = 64;
/** Largest dump window in hours (10 years); `all` has no window. */
export const MAX_DUMP_HOURS = 87_600;
/** Default dump window, in hours (the seed's 30 hours). */
export const DEFAULT_DUMP_HOURS = 30;
/** Default TCP port for everything (ingest, console, legacy). */
export const DEFAULT_PORT = 9324;
/** Default bind address: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** Wire protocol version spoken by this build. */
export const PROTOCOL_VERSION = 1;
