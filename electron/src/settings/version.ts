/** Collector version reported by /healthz and the CLI. */
export const VERSION = '0.1.0';
