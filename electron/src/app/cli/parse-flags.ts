import { COMMANDS, type CommandSpec } from './commands.js';

/** A command line the user got wrong: one plain sentence, exit 2. `code` is stable. */
export class UsageError extends Error {
  /** Stable code: E_USAGE. */
  readonly code = 'E_USAGE';
}

/** Flags and positionals of one command line, checked against its {@link CommandSpec}. */
export interface ParsedFlags {
  values: Record<string, string | boolean>;
  positionals: string[];
  help: boolean;
}

/**
 * Parses a command's arguments. Written by hand rather than with `util.parseArgs` so that every mistake gets one
 * sentence naming the flag and what it expects (parseArgs' messages talk about its own API), and so a string flag
 * takes the next argument even when it starts with a dash (`--hours -3` is a bad number, not a missing value).
 */
export function parseFlags(spec: CommandSpec, args: readonly string[]): ParsedFlags {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  const byShort = new Map(Object.entries(spec.flags).flatMap(([n, f]) => (f.short ? [[f.short, n] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : (byShort.get(arg.slice(1)) ?? arg);
    const inline = arg.startsWith('--') && eq >= 0 ? arg.slice(eq + 1) : undefined;
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (flag === undefined) throw unknownFlag(spec, arg.startsWith('--') ? `--${name}` : arg);
    name = String(name);
    if (Object.hasOwn(values, name)) throw new UsageError(`--${name} is given twice`);
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got "${inline}")`);
      values[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} expects ${expects(name, spec)}`);
    if (flag.check !== undefined && !flag.check(value)) {
      throw new UsageError(`--${name} expects ${flag.expects ?? flag.arg}, got "${value}"`);
    }
    values[name] = value;
  }
  if (!help) {
    for (const [a, b] of spec.conflicts ?? []) {
      if (Object.hasOwn(values, a) && Object.hasOwn(values, b))
        throw new UsageError(`--${a} and --${b} cannot be used together`);
    }
    const p = spec.positionals;
    if (positionals.length > p.max) {
      throw new UsageError(
        `${spec.name} takes ${p.max === 0 ? 'no arguments' : p.expects}, got "${positionals[p.max]}"`,
      );
    }
    if (positionals.length < p.min) throw new UsageError(`${spec.name} needs ${p.expects}`);
  }
  return { values, positionals, help };
}

function expects(name: string, spec: CommandSpec): string {
  const f = spec.flags[name]!;
  return f.expects ?? (f.arg !== undefined ? `a value (${f.arg})` : 'a value');
}

function unknownFlag(spec: CommandSpec, flag: string): UsageError {
  const name = flag.replace(/^--?/, '');
  const owners = COMMANDS.filter((c) => c.flags[name] !== undefined).map((c) => c.name);
  const hint = owners.length > 0 ? ` (it is a flag of ${owners.join(', ')})` : '';
  return new UsageError(`${spec.name} has no flag ${flag}${hint}; ic-audit ${spec.name} --help lists its flags`);
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.arg ? ` ${f.arg}` : ''}`;
    return [left, f.help] as const;
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const usage = `ic-audit ${spec.name}${spec.positionals.usage ? ` ${spec.positionals.usage}` : ''} [flags]`;
  return (
    `ic-audit ${spec.name}: ${spec.summary}\n\nUsage: ${usage}\n\nFlags:\n` +
    rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`).join('\n') +
    (spec.notes ? `\n\n${spec.notes}` : '') +
    '\n'
  );
}

/** The global help: every command in one line each. */
export function globalHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return (
    `ic-audit ${version}: tamper-evident audit collector for trading bots\n\n` +
    `Usage: ic-audit COMMAND [flags]     (ic-audit COMMAND --help lists its flags)\n\nCommands:\n` +
    COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n') +
    `\n\n  -h, --help     this help\n  -V, --version  print the version\n\n` +
    `Environment: IC_AUDIT_HOME (data dir), IC_AUDIT_HOST, IC_AUDIT_PORT, IC_AUDIT_INGEST_TOKEN, IC_AUDIT_KEY_FILE,\n` +
    `IC_AUDIT_CONFIG_DIR, IC_AUDIT_WITNESS_FILE, IC_AUDIT_HEAD_INTERVAL, IC_AUDIT_LEGACY_DUMP_DIR, IC_AUDIT_NATS*,\n` +
    `NO_COLOR. Exit codes: 0 ok, 1 verify / verify-dump found tampering or loss, 2 usage, configuration or I/O error.\n`
  );
}
