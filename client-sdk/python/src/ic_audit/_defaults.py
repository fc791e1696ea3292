"""Every option default and environment variable of the client, in one place (the README's table lists the same)."""

from ._limits import DEFAULT_DUMP_HOURS, DEFAULT_HOST, DEFAULT_PORT, MAX_EVENTS_PER_FRAME

# Environment variables read when an option is not given (the TypeScript SDK reads the same ones).
ENV_URL = "IC_AUDIT_URL"
ENV_TOKEN = "IC_AUDIT_TOKEN"
ENV_CA = "IC_AUDIT_CA"
ENV_CERT_FINGERPRINT = "IC_AUDIT_CERT_FINGERPRINT"
ENV_CLIENT_CERT = "IC_AUDIT_CLIENT_CERT"
ENV_CLIENT_KEY = "IC_AUDIT_CLIENT_KEY"
ENV_DEBUG = "IC_AUDIT_DEBUG"

DEFAULT_URL = f"ws://{DEFAULT_HOST}:{DEFAULT_PORT}/ingest"
# A bot that logs hard for minutes while the collector is down loses nothing, yet the buffer stays bounded.
BUFFER_MAX_EVENTS = 100_000
BUFFER_MAX_BYTES = 64 * 1024 * 1024
BATCH_MAX_EVENTS = MAX_EVENTS_PER_FRAME
# Under V8's large-object size at the collector: bigger frames cost it more per event (see the TS SDK's defaults).
BATCH_MAX_BYTES = 60 * 1024
# While a frame awaits its ack, new events gather this long before the next frame (an idle link sends at once).
FLUSH_INTERVAL_S = 0.005
# Events sent but not yet acked; more wait for acks (flow control).
MAX_INFLIGHT_EVENTS = 10_000
# Reconnect delay ceiling: doubles per failure from the base up to the cap, full jitter below it.
BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 5.0
# One connection attempt (TCP, TLS, upgrade, welcome).
CONNECT_TIMEOUT_S = 5.0
# A write stalled this long, or a link silent this long (the collector pings every 15 s), is a dead connection.
IO_TIMEOUT_S = 40.0
FLUSH_TIMEOUT_S = 5.0
# Longest the flush at interpreter exit may keep a finished script alive.
EXIT_FLUSH_TIMEOUT_S = 2.0
FAST_AUDIT_TIMEOUT_S = 3.0
DUMP_TIMEOUT_S = 10.0
DUMP_HOURS = DEFAULT_DUMP_HOURS
