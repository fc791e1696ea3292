/** The CLI's hand-written flag parser and help texts, called directly: each mistake gets its one sentence. */
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandSpec } from '../src/app/cli/commands.js';
import { commandHelp, globalHelp, parseFlags, UsageError } from '../src/app/cli/parse-flags.js';

/** A command with one flag of each kind and one or two positionals. */
const SPEC: CommandSpec = {
  name: 'demo',
  summary: 'a demo command',
  positionals: { usage: 'FILE [FILE]', min: 1, max: 2, expects: 'one or two FILEs' },
  flags: {
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'where to write' },
    hours: {
      type: 'string',
      arg: 'HOURS',
      help: 'how far back',
      expects: 'a positive number of hours',
      check: (v) => Number(v) > 0,
    },
    name: { type: 'string', help: 'a name' },
    all: { type: 'boolean', help: 'everything' },
    quiet: { type: 'boolean', short: 'q', help: 'no progress' },
  },
  conflicts: [['all', 'hours']],
  notes: 'Exit 0 when done.',
};

const command = (name: string): CommandSpec => COMMANDS.find((c) => c.name === name)!;

/** The UsageError message of a command line (fails when it parses). */
function mistake(args: string[], spec: CommandSpec = SPEC): string {
  try {
    parseFlags(spec, args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('E_USAGE');
    return (err as UsageError).message;
  }
  throw new Error(`parsed: ${args.join(' ')}`);
}

describe('parseFlags', () => {
  it('reads long, --name=value, short and boolean flags around positionals', () => {
    expect(parseFlags(SPEC, ['a.json', '--out', 'x', '--hours=2.5', '-q', 'b.json'])).toEqual({
      values: { out: 'x', hours: '2.5', quiet: true },
      positionals: ['a.json', 'b.json'],
      help: false,
    });
    expect(parseFlags(SPEC, ['-o', 'y', '--all', 'f']).values).toEqual({ out: 'y', all: true });
    expect(parseFlags(SPEC, ['--out=a=b', 'f']).values).toEqual({ out: 'a=b' });
  });

  it('a string flag takes the next argument even when it starts with a dash', () => {
    expect(parseFlags(SPEC, ['--out', '-', 'f']).values).toEqual({ out: '-' });
    expect(parseFlags(SPEC, ['--name', '--all', 'f']).values).toEqual({ name: '--all' });
    expect(mistake(['--hours', '-3', 'f'])).toBe('--hours expects a positive number of hours, got "-3"');
  });

  it('"-" is a positional; everything after "--" is too', () => {
    expect(parseFlags(SPEC, ['-']).positionals).toEqual(['-']);
    expect(parseFlags(SPEC, ['--', '--all', '-q'])).toEqual({ values: {}, positionals: ['--all', '-q'], help: false });
  });

  it('a missing or empty value names what the flag expects', () => {
    expect(mistake(['f', '--out'])).toBe('--out expects a value (FILE)');
    expect(mistake(['f', '--out='])).toBe('--out expects a value (FILE)');
    expect(mistake(['f', '--hours', ''])).toBe('--hours expects a positive number of hours');
    expect(mistake(['f', '--name'])).toBe('--name expects a value');
  });

  it('refuses a value given to a boolean, a flag given twice (by either name) and conflicting flags', () => {
    expect(mistake(['f', '--all=yes'])).toBe('--all takes no value (got "yes")');
    expect(mistake(['f', '--out', 'a', '--out', 'b'])).toBe('--out is given twice');
    expect(mistake(['f', '-q', '--quiet'])).toBe('--quiet is given twice');
    expect(mistake(['f', '--all', '--hours', '3'])).toBe('--all and --hours cannot be used together');
  });

  it('unknown flags: named as typed, with the commands that have them', () => {
    expect(mistake(['f', '--nope'])).toBe('demo has no flag --nope; ic-audit demo --help lists its flags');
    expect(mistake(['f', '-x'])).toBe('demo has no flag -x; ic-audit demo --help lists its flags');
    expect(mistake(['--format', 'csv'], command('verify'))).toBe(
      'verify has no flag --format (it is a flag of dump); ic-audit verify --help lists its flags',
    );
  });

  it('an unknown flag named like an Object member is reported as unknown', () => {
    expect(mistake(['f', '--constructor', 'x'])).toMatch(/^demo has no flag --constructor/);
  });

  it('counts positionals against the command: too many names the first extra, too few names what is needed', () => {
    expect(mistake(['a', 'b', 'c'])).toBe('demo takes one or two FILEs, got "c"');
    expect(mistake([])).toBe('demo needs one or two FILEs');
    expect(mistake(['extra'], command('dump'))).toBe('dump takes no arguments, got "extra"');
  });

  it('--help / -h skips the positional and conflict checks, wherever it stands', () => {
    expect(parseFlags(SPEC, ['--all', '--hours', '3', '-h'])).toEqual({
      values: { all: true, hours: '3' },
      positionals: [],
      help: true,
    });
    expect(parseFlags(SPEC, ['a', 'b', 'c', '--help']).help).toBe(true);
    // A bad value is still refused: help does not make a wrong line right.
    expect(mistake(['--help', '--hours', '0'])).toMatch(/^--hours expects/);
  });
});

describe('help texts', () => {
  it('a command lists its usage, every flag with its short form and placeholder, --help and its notes', () => {
    const help = commandHelp(SPEC);
    expect(
      help.startsWith('ic-audit demo: a demo command\n\nUsage: ic-audit demo FILE [FILE] [flags]\n\nFlags:\n'),
    ).toBe(true);
    expect(help).toMatch(/^ {2}-o, --out FILE +where to write$/m);
    expect(help).toMatch(/^ {2}--hours HOURS +how far back$/m);
    expect(help).toMatch(/^ {2}-q, --quiet +no progress$/m);
    expect(help).toMatch(/^ {2}-h, --help +this help$/m);
    expect(help.endsWith('\n\nExit 0 when done.\n')).toBe(true);
    // The help column starts two spaces after the longest flag ("-o, --out FILE", 14) on every row.
    const rows = help.split('\n').filter((l) => l.startsWith('  -'));
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.slice(16, 19), row).toMatch(/^ {2}\S$/);
  });

  it('every real command has help naming each of its flags; the global help names every command', () => {
    const global = globalHelp('9.9.9');
    expect(global.startsWith('ic-audit 9.9.9: ')).toBe(true);
    for (const spec of COMMANDS) {
      expect(global).toMatch(new RegExp(`^ {2}${spec.name} +\\S`, 'm'));
      const help = commandHelp(spec);
      for (const name of Object.keys(spec.flags)) expect(help, `${spec.name} --${name}`).toContain(`--${name}`);
    }
  });
});
