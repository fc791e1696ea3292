import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collectorsPerTest } from '../../test/helpers/collector.js';
import { journalRecords } from '../../test/helpers/raw-client.js';

const { start: collector } = collectorsPerTest();
const cli = (args: string[]): { status: number | null; out: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
};

/**
 * A Python bot sending exactly what the real `ic_audit` client sends (one connection per event, `json.dumps`
 * defaults, so bare NaN / Infinity), and computing, with Python's own json module, the bytes the Python server
 * would have written for the same events: `json.dump` of the received dicts grouped by project, and the compact
 * dump's `key: str(value)` lines. Its stdout is a JSON report.
 */
const BOT = `
import json, socket, time, sys, datetime
PORT = int(sys.argv[1]); OUT = sys.argv[2]
def talk(data):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect(('localhost', PORT)); s.sendall(data); return s.recv(65536).decode()
def nested(n): return 1 if n == 0 else [nested(n - 1)]
meta = {'project_name': 'Exact', 'project_market': 'FOREX', 'project_description': None, 'project_privileges': [None]}
def event(event_type, event_description, **f):
    m = {'event_type': event_type, 'event_description': event_description, 'timestamp': time.time(), **f}
    m.update(meta); m['project_description'] = 'desc'
    return m
sent = [
    event('boot', 'Project was booted.', booted_with_pid=4242),
    event('trade_opened', 'numbers', a=float('nan'), b=float('inf'), c=float('-inf'), d=250.0, e=3.0, f=1e20, g=-0.0,
          h=2**53 + 1, i=2**63, j=-(2**70), k=1e-05, l=0.1),
    event('', None, note='empty type, null description'),
    event('ic-audit.gap', 'a bot type that looks like the collector\\'s', deep=nested(60)),
    event('unicode', 'caf\\u00e9 \\U0001F680', s='\\u65e5\\u672c', q='it\\'s "quoted"\\n'),
]
replies = [talk(json.dumps(m).encode()) for m in sent]
too_deep = event('too_deep', 'nested past the limit', deep=nested(70))
replies.append(talk(json.dumps(too_deep).encode()))
replies.append(talk(b'{"event_type": oops}'))
replies.append(talk(b'available_projects'))
replies.append(talk(b'dump_audit_trails'))
seed = open(OUT + '/dumps/dumped_audit_trails.json').read()
replies.append(talk(b'dump_audit_trails_all'))
seed_all = open(OUT + '/dumps/dumped_audit_trails.json').read()
replies.append(talk(b'dump_compact_with_filter: Exact , Nope'))
compact = open(OUT + '/dumps/compact_audit_dump.txt').read()
expected_compact = ''
for m in sorted(sent, key=lambda x: x.get('timestamp', 0)):
    expected_compact += '\\n'
    for k, v in m.items():
        if k == 'timestamp': v = datetime.datetime.fromtimestamp(v).strftime('%Y-%m-%d %H:%M:%S')
        expected_compact += f'{k}: {v}\\n'
print(json.dumps({
    'replies': replies,
    'seed': seed, 'expected_seed': json.dumps({'Exact': sent, 'external_hosts': [], 'external_hosts_audit': {}}),
    'expected_v03': json.dumps({'Exact': sent}),
    'seed_all': seed_all, 'expected_all': json.dumps({'Exact': sent, 'external_hosts': [], 'external_hosts_audit': {}}),
    'compact_body': compact.split('\\n', 1)[1],
    'expected_compact': '=' * 40 + '\\nProject: Exact\\n' + '-' * 40 + '\\n' + expected_compact,
    'compact_entries': [json.dumps(m, separators=(',', ':')) for m in sent],
}))
`;

interface Report {
  replies: string[];
  seed: string;
  expected_seed: string;
  seed_all: string;
  expected_v03: string;
  expected_all: string;
  compact_body: string;
  expected_compact: string;
  compact_entries: string[];
}

describe('exact trail: what a Python bot sends is what is stored, dumped and shown', () => {
  it('keeps every value as sent on the legacy path, and dumps the bytes the Python server wrote', async () => {
    const c = await collector();
    const script = join(c.dataDir, 'bot.py');
    writeFileSync(script, BOT);
    const run = spawnSync('python3', [script, String(c.port), c.dataDir], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.replies).toEqual([
      'Data received',
      'Data received',
      'Data received',
      'Data received',
      'Data received',
      expect.stringMatching(/^Invalid JSON data received: E_BAD_EVENT fields nested deeper than 64/),
      'Invalid JSON data received',
      '["Exact"]',
      'Audit trails dumped',
      'All audit trails dumped',
      'Compact audit dump with filters created',
    ]);
    // Byte for byte the Python server's json.dump. This bot is a v0.4.7 client (its boot has booted_with_pid), so
    // its dumps take the v0.4.7 shape (the external hosts keys) unless the v0.3 shape is asked for.
    expect(report.seed).toBe(report.expected_seed);
    const v03 = join(c.dataDir, 'v03.json');
    expect(cli(['dump', '--data-dir', c.dataDir, '--all', '--shape', 'v0.3', '--out', v03]).status).toBe(0);
    expect(readFileSync(v03, 'utf8')).toBe(report.expected_v03);
    expect(report.seed_all).toBe(report.expected_all);
    expect(report.compact_body).toBe(report.expected_compact);

    // The journal holds the exact text; JSON readers still parse every line (NaN kept in fields_text).
    const records = journalRecords(c.dataDir);
    const bot = records.filter((r) => r['project_name'] === 'Exact' && r['source'] === 'legacy');
    expect(bot.map((r) => r['event_type'])).toEqual(['boot', 'trade_opened', '', 'ic-audit.gap', 'unicode']);
    expect(bot[2]!['event_description']).toBeNull();
    const numbers = bot[1]!;
    expect(numbers['fields_text']).toContain('"a":NaN,"b":Infinity,"c":-Infinity,"d":250.0,"e":3.0,"f":1e+20,"g":-0.0');
    expect(numbers['fields_text']).toContain(
      '"h":9007199254740993,"i":9223372036854775808,"j":-1180591620717411303424',
    );
    // Refusals leave a trace in the trail and a count, since the Python client never reads its reply.
    const refused = records.filter((r) => r['event_type'] === 'ic-audit.refused' && r['source'] === 'collector');
    expect(refused.map((r) => r['project_name'])).toEqual(['Exact', 'unknown_project']);
    expect(String((refused[1]!['fields'] as Record<string, unknown>)['excerpt'])).toBe('{"event_type": oops}');
    const sessions = (await (
      await fetch(`${c.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${c.consoleToken}` } })
    ).json()) as Array<{
      project: { project_name: string };
      refused: number;
    }>;
    expect(
      sessions
        .filter((s) => s.refused > 0)
        .map((s) => [s.project.project_name, s.refused])
        .sort(),
    ).toEqual([
      ['Exact', 1],
      ['unknown_project', 1],
    ]);

    // NDJSON and CSV dumps and the console API give the same exact text back.
    const nd = join(c.dataDir, 'all.ndjson');
    expect(
      cli(['dump', '--data-dir', c.dataDir, '--all', '--project', 'Exact', '--format', 'ndjson', '--out', nd]).status,
    ).toBe(0);
    expect(readFileSync(nd, 'utf8').trimEnd().split('\n')).toEqual(report.compact_entries);
    const csv = join(c.dataDir, 'all.csv');
    expect(
      cli(['dump', '--data-dir', c.dataDir, '--all', '--project', 'Exact', '--format', 'csv', '--out', csv]).status,
    ).toBe(0);
    expect(readFileSync(csv, 'utf8')).toContain(
      '""d"":250.0,""e"":3.0,""f"":1e+20,""g"":-0.0,""h"":9007199254740993,""i"":9223372036854775808',
    );
    const api = (await (
      await fetch(`${c.httpUrl}/api/records?project=Exact&limit=50`, {
        headers: { authorization: `Bearer ${c.consoleToken}` },
      })
    ).json()) as { records: Array<{ event_type: string; fields_raw: string }> };
    const viaApi = api.records.find((r) => r.event_type === 'trade_opened')!;
    expect(viaApi.fields_raw).toContain('"a":NaN,"b":Infinity,"c":-Infinity,"d":250.0');
    expect(cli(['verify', '--data-dir', c.dataDir]).status).toBe(0);
  });

  it('imports a Python dump holding NaN, keeping each value, and reports a bad entry on its own', async () => {
    const c = await collector();
    await c.kill('SIGTERM');
    const file = join(c.dataDir, 'old-dump.json');
    const boot =
      '{"event_type": "boot", "event_description": "Project was booted.", "timestamp": 1692345600.123, "project_name": "Old", "project_market": "FX", "project_description": "d", "project_privileges": [null]}';
    const trade =
      '{"event_type": "trade_opened", "event_description": "x", "timestamp": 1692345660.5, "pnl": NaN, "price": 250.0, "project_name": "Old", "project_market": "FX", "project_description": "d", "project_privileges": [null]}';
    const bad = '{"event_type": 7, "project_name": "Old"}';
    writeFileSync(file, `{"Old": [${boot}, ${trade}, ${bad}], "external_hosts": [], "external_hosts_audit": {}}`);
    const r = cli(['import', file, '--data-dir', c.dataDir]);
    expect(r.out).toMatch(/imported 2 events of 1 projects/);
    expect(r.out).toMatch(/Old\[2\]/);
    const out = join(c.dataDir, 'again.json');
    expect(cli(['dump', '--data-dir', c.dataDir, '--all', '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`{"Old": [${boot}, ${trade}]}`);
  });
});
