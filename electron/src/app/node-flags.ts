/**
 * V8 flags every launcher of the collector passes to node (`npm start`, `npm run serve`, the `ic-audit` command) and
 * to Electron's main process (`--js-flags`). V8 reads them only when it starts, so they cannot be set from inside.
 *
 * `--max-semi-space-size=64` (MiB; V8's default here is 16): under full ingest the events between a frame and their
 * group commit live through two scavenges of a small young generation and are copied each time. A larger one
 * collects far less often: measured under B2 (bench/README.md), 21% less collector CPU per event in an A/B and about
 * 10% more events/s. It grows only under load; an idle collector keeps the small default.
 */
export const COLLECTOR_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=64']);

/** The same flags as one Electron `--js-flags=...` switch (they reach the main process only when given at start). */
export function electronJsFlags(): string {
  return `--js-flags=${COLLECTOR_NODE_FLAGS.join(' ')}`;
}
