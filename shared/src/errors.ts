/**
 * Stable error codes carried by `error` frames, HTTP error bodies and thrown collector errors.
 * Listed with their meaning in docs/protocol.md; never renamed once shipped.
 */
export const ErrorCodes = {
  /** The frame is not valid JSON (or not valid UTF-8). */
  E_BAD_JSON: 'E_BAD_JSON',
  /** The frame is JSON but not a well-formed message of its type. */
  E_BAD_FRAME: 'E_BAD_FRAME',
  /** `type` is missing or unknown. */
  E_UNKNOWN_TYPE: 'E_UNKNOWN_TYPE',
  /** `v` is not a protocol version this collector speaks. */
  E_BAD_VERSION: 'E_BAD_VERSION',
  /** A frame other than hello arrived before hello. */
  E_NO_HELLO: 'E_NO_HELLO',
  /** A second hello on the same connection. */
  E_DUP_HELLO: 'E_DUP_HELLO',
  /** The hello is malformed (session, project, limits). */
  E_BAD_HELLO: 'E_BAD_HELLO',
  /** The ingest or console token is missing or wrong. */
  E_UNAUTHORIZED: 'E_UNAUTHORIZED',
  /** A browser Origin (or Host) that is not the console's own. */
  E_FORBIDDEN_ORIGIN: 'E_FORBIDDEN_ORIGIN',
  /** The frame or body exceeds its byte limit. */
  E_TOO_LARGE: 'E_TOO_LARGE',
  /** More events in one frame or body than allowed. */
  E_TOO_MANY_EVENTS: 'E_TOO_MANY_EVENTS',
  /** One event is malformed or exceeds a field limit; the message names the event and the rule. */
  E_BAD_EVENT: 'E_BAD_EVENT',
  /** seq values inside one frame are not strictly increasing. */
  E_BAD_SEQ: 'E_BAD_SEQ',
  /** No longer sent (kept so the code is never reused): every event type is accepted. */
  E_RESERVED_TYPE: 'E_RESERVED_TYPE',
  /** The journal cannot write (disk full, I/O error): nothing was accepted, resend later. */
  E_STORAGE: 'E_STORAGE',
  /** Too many frames per second on one connection. */
  E_RATE_LIMIT: 'E_RATE_LIMIT',
  /** A dump request is malformed. */
  E_BAD_DUMP: 'E_BAD_DUMP',
  /** Writing a dump failed. */
  E_DUMP_FAILED: 'E_DUMP_FAILED',
  /** The collector is shutting down; reconnect later. */
  E_SHUTTING_DOWN: 'E_SHUTTING_DOWN',
  /** An `Idempotency-Key` header that is empty, too long or not printable ASCII. */
  E_BAD_IDEMPOTENCY_KEY: 'E_BAD_IDEMPOTENCY_KEY',
  /** Unknown route or method. */
  E_NOT_FOUND: 'E_NOT_FOUND',
  /** Ingest requires a client certificate (`--tls-client-ca`) and none valid was presented. */
  E_CLIENT_CERT: 'E_CLIENT_CERT',
  /** This instance takes no events (a `--console-only` console over a NATS stream): send to a collector. */
  E_NO_INGEST: 'E_NO_INGEST',
  /** The server failed while answering (a bug or an I/O error): the request may be retried. */
  E_INTERNAL: 'E_INTERNAL',
} as const;

/** Any stable error code. */
export type ErrorCode = keyof typeof ErrorCodes;

/** A failed parse or a refused request: a stable code and a human sentence. */
export interface ProtocolError {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Builds a {@link ProtocolError}. */
export function protocolError(code: ErrorCode, message: string): ProtocolError {
  return { ok: false, code, message };
}
