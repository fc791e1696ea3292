import { DEFAULT_DUMP_HOURS } from '@ic-audit/shared';
import { SERVE_OPTIONS } from '../cli-args.js';

/** One flag of one command: its type, the value it takes and one line of help. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One-letter alias (`-q`). */
  short?: string;
  /** Placeholder shown in help (`HOURS`). */
  arg?: string;
  help: string;
  /** What a valid value is, for the error sentence ("a positive number of hours"); with {@link check}. */
  expects?: string;
  /** True when the value is acceptable. */
  check?: (value: string) => boolean;
}

/** One subcommand: its flags, its positionals and its help text. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Positionals in the usage line, e.g. `FILE`; `min`/`max` how many are accepted. */
  positionals: { usage: string; min: number; max: number; expects: string };
  flags: Record<string, FlagSpec>;
  /** Pairs of flags that cannot be given together. */
  conflicts?: ReadonlyArray<readonly [string, string]>;
  /** Extra lines after the flags (exit codes, notes). */
  notes?: string;
}

const dataDir: FlagSpec = {
  type: 'string',
  arg: 'DIR',
  help: 'data directory (default ~/.ic-audit, or $IC_AUDIT_HOME)',
};
const keyFile: FlagSpec = {
  type: 'string',
  arg: 'FILE',
  help: 'the signing key (default ~/.config/ic-audit/signing-key.pem, or $IC_AUDIT_KEY_FILE)',
};
const witnessFile: FlagSpec = {
  type: 'string',
  arg: 'FILE',
  help: 'also append the signed heads written here to this witness file',
};
const quiet: FlagSpec = { type: 'boolean', short: 'q', help: 'no progress line on stderr' };

/** Help lines of the serve flags; keyed like SERVE_OPTIONS so a new serve flag cannot go undocumented. */
const SERVE_HELP: Record<keyof typeof SERVE_OPTIONS, Omit<FlagSpec, 'type'>> = {
  host: {
    arg: 'HOST',
    help: 'address to bind (default 127.0.0.1; another needs --tls-cert/--tls-key and --ingest-token)',
  },
  port: { arg: 'PORT', help: 'port for ingest, console and the Python clients (default 9324; 0 picks one)' },
  'data-dir': dataDir,
  'ingest-token': { arg: 'TOKEN', help: 'bots must send this token (required off loopback)' },
  nats: { arg: 'URL[,URL...]', help: 'NATS JetStream scale-out (docs/scaling.md)' },
  'nats-creds': { arg: 'FILE', help: 'NATS credentials file' },
  'nats-ca': { arg: 'FILE', help: 'CA certificate for NATS TLS' },
  'nats-stream': { arg: 'NAME', help: 'JetStream stream name (default IC_AUDIT)' },
  'nats-replicas': { arg: 'N', help: 'stream replicas (default 3)' },
  'nats-compress': { arg: 'on|off', help: 'compress batch messages (default on)' },
  'console-only': { help: 'serve the console from the NATS stream, no journal' },
  'legacy-dump-dir': { arg: 'DIR', help: "where the Python clients' dumps go (default DIR/dumps)" },
  'key-file': keyFile,
  'witness-file': { arg: 'FILE', help: 'also append every signed head here (another volume)' },
  'head-interval': { arg: 'SECONDS', help: 'seconds between signed heads (default 60)' },
  'tls-cert': { arg: 'FILE', help: 'PEM certificate: the port serves HTTPS and WSS only (reloaded on SIGHUP)' },
  'tls-key': { arg: 'FILE', help: 'PEM private key of --tls-cert' },
  'tls-client-ca': { arg: 'FILE', help: 'ingest requires a client certificate from this CA (token then optional)' },
  'allow-plaintext': { help: 'serve a non-loopback --host without TLS (tokens and trades in cleartext)' },
};

const serveFlags = Object.fromEntries(
  Object.entries(SERVE_OPTIONS).map(([name, o]) => [
    name,
    { type: o.type, ...SERVE_HELP[name as keyof typeof SERVE_OPTIONS] },
  ]),
) as Record<string, FlagSpec>;

const positiveNumber = (v: string): boolean => {
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) && n > 0;
};
const oneOf =
  (...values: string[]) =>
  (v: string): boolean =>
    values.includes(v);

/** Every subcommand, in the order the global help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'run the collector (ingest, journal, console) in this terminal',
    positionals: { usage: '', min: 0, max: 0, expects: '' },
    flags: serveFlags,
    notes: 'Enter dumps the last 30 hours; Ctrl+C commits and stops.',
  },
  {
    name: 'dump',
    summary: "write the journal's events to a file (the Python tool's format, NDJSON or CSV) with a signed manifest",
    positionals: { usage: '', min: 0, max: 0, expects: '' },
    flags: {
      'data-dir': dataDir,
      hours: {
        type: 'string',
        arg: 'HOURS',
        help: `events of the last HOURS hours (default ${DEFAULT_DUMP_HOURS})`,
        expects: 'a positive number of hours',
        check: positiveNumber,
      },
      all: { type: 'boolean', help: 'every event, whatever its age' },
      project: { type: 'string', arg: 'A,B', help: 'only these projects' },
      format: {
        type: 'string',
        arg: 'FORMAT',
        help: 'json (default), ndjson or csv',
        expects: 'json, ndjson or csv',
        check: oneOf('json', 'ndjson', 'csv'),
      },
      shape: {
        type: 'string',
        arg: 'SHAPE',
        help: "auto (default), v0.3 or v0.4.7: which Python server's JSON layout",
        expects: 'auto, v0.3 or v0.4.7',
        check: oneOf('auto', 'v0.3', 'v0.4.7'),
      },
      out: {
        type: 'string',
        arg: 'FILE',
        help: 'where to write (default DIR/dumps/dumped_audit_trails.json); - writes to stdout',
      },
      'key-file': keyFile,
      quiet,
    },
    conflicts: [['all', 'hours']],
    notes: 'With --out -, the dump goes to stdout and its manifest into DIR/dumps (its path is printed on stderr).',
  },
  {
    name: 'verify',
    summary: 'check the journal: hash chain, signed heads, witness',
    positionals: { usage: '', min: 0, max: 0, expects: '' },
    flags: {
      'data-dir': dataDir,
      witness: { type: 'string', arg: 'FILE', help: 'compare with an outside witness file (serve --witness-file)' },
      'public-key': {
        type: 'string',
        arg: 'FILE',
        help: "the collector's public key (from ic-audit key); default: the local key",
      },
      'key-file': keyFile,
      json: { type: 'boolean', help: 'print one JSON verdict on stdout (for scripts and monitoring)' },
      quiet,
    },
    notes: 'Exit codes: 0 intact, 1 tampering or loss found (what and where), 2 usage or I/O error.',
  },
  {
    name: 'verify-dump',
    summary: 'check a dump against its signed manifest (no journal needed)',
    positionals: { usage: 'FILE', min: 1, max: 1, expects: 'one dump FILE' },
    flags: {
      manifest: { type: 'string', arg: 'FILE', help: 'the manifest (default FILE.manifest.json)' },
      'public-key': {
        type: 'string',
        arg: 'FILE',
        help: "the collector's public key (from ic-audit key); default: the local key",
      },
      'data-dir': dataDir,
      'key-file': keyFile,
    },
    notes: 'Exit codes: 0 matches, 1 tampered, 2 usage or I/O error.',
  },
  {
    name: 'key',
    summary: "print the signing key's fingerprint and public key; `key rotate` replaces it",
    positionals: { usage: '[rotate]', min: 0, max: 1, expects: 'nothing or "rotate"' },
    flags: { 'data-dir': dataDir, 'key-file': keyFile, 'witness-file': witnessFile },
    notes: 'The key is created on first use. rotate needs the collector stopped; the old key signs the hand-over.',
  },
  {
    name: 'import',
    summary: "load the Python tool's dumped_audit_trails.json into the journal, marked as imported",
    positionals: { usage: 'FILE', min: 1, max: 1, expects: 'one dump FILE (a dumped_audit_trails.json)' },
    flags: { 'data-dir': dataDir, 'key-file': keyFile, 'witness-file': witnessFile, quiet },
    notes:
      'Streams the file (any size, constant memory). Importing the same file twice adds nothing.\n' +
      'Into a directory without a journal it creates one, and says so. The collector must be stopped.',
  },
];

/** The spec of a command by name. */
export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
