import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collectorsPerTest, tempDataDir, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectRaw, hello, journalRecords } from '../../test/helpers/raw-client.js';

const { start: collector } = collectorsPerTest();
function cli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
const HOUR = 3600;

/** Two projects; each has a boot without fields, an event 31 h old and a recent one. */
async function seed(c: CollectorHandle): Promise<void> {
  const now = Date.now() / 1000;
  for (const project of ['Alpha', 'Beta']) {
    const bot = await connectRaw(c.ingestUrl, { hello: hello(`${project.toLowerCase()}-session-1`, project) });
    bot.send({
      type: 'events',
      events: [
        { seq: 1, event_type: 'boot', event_description: 'Project was booted.', timestamp: now - 32 * HOUR },
        {
          seq: 2,
          event_type: 'trade_opened',
          event_description: 'old',
          timestamp: now - 31 * HOUR,
          fields: { symbol: 'EURUSD' },
        },
        { seq: 3, event_type: 'boot', event_description: 'Project was booted.', timestamp: now - 1 },
        {
          seq: 4,
          event_type: 'trade_closed',
          event_description: 'recent',
          timestamp: now,
          fields: { symbol: 'EURUSD', profit: 250 },
        },
      ],
    });
    await bot.waitForAck(4);
    await bot.close();
  }
}

describe('dumps', () => {
  it('writes the seed shape: last 30 h by default, grouped by project, boots carry project metadata', async () => {
    const c = await collector();
    await seed(c);
    const r = cli(['dump', '--data-dir', c.dataDir]);
    expect(r.status).toBe(0);
    const path = join(c.dataDir, 'dumps', 'dumped_audit_trails.json');
    const dump = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
    expect(Object.keys(dump)).toEqual(['Alpha', 'Beta']);
    expect(dump['Alpha']!.map((e) => e['event_description'])).toEqual(['Project was booted.', 'recent']);
    expect(dump['Alpha']![0]).toEqual({
      event_type: 'boot',
      event_description: 'Project was booted.',
      timestamp: expect.any(Number),
      project_name: 'Alpha',
      project_market: 'FOREX',
      project_description: 'Alpha test bot',
      project_privileges: ['execute_trade'],
    });
    expect(dump['Alpha']![1]).toMatchObject({
      event_type: 'trade_closed',
      symbol: 'EURUSD',
      profit: 250,
      project_name: 'Alpha',
    });
    // The manifest lists each dumped record's id and hash, and the dump file's own SHA-256.
    const manifest = JSON.parse(readFileSync(`${path}.manifest.json`, 'utf8')) as Record<string, any>;
    expect(manifest.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(manifest.events).toBe(4);
    const byId = new Map(journalRecords(c.dataDir).map((x) => [x['id'], x['hash']]));
    expect(manifest.records).toHaveLength(4);
    for (const [id, hash] of manifest.records as Array<[number, string]>) expect(byId.get(id)).toBe(hash);
  });

  it('--all includes old events; --project and formats narrow and convert', async () => {
    const c = await collector();
    await seed(c);
    const out = join(c.dataDir, 'all.json');
    expect(cli(['dump', '--data-dir', c.dataDir, '--all', '--out', out]).status).toBe(0);
    const all = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown[]>;
    expect(all['Alpha']).toHaveLength(4);
    const nd = join(c.dataDir, 'beta.ndjson');
    expect(
      cli(['dump', '--data-dir', c.dataDir, '--all', '--project', 'Beta', '--format', 'ndjson', '--out', nd]).status,
    ).toBe(0);
    const lines = readFileSync(nd, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['project_name'])).toEqual(['Beta', 'Beta', 'Beta', 'Beta']);
    const csv = join(c.dataDir, 'x.csv');
    expect(cli(['dump', '--data-dir', c.dataDir, '--format', 'csv', '--out', csv]).status).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe('id,received_at,timestamp,project_name,event_type,event_description,fields,hash');
    expect(rows).toHaveLength(5);
  });

  it("dumps from a stopped collector's data dir too", async () => {
    const c = await collector();
    await seed(c);
    await c.kill('SIGTERM');
    const r = cli(['dump', '--data-dir', c.dataDir, '--all']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/2 projects, 8 events/);
  });
});

describe("the Python tool's clients, unchanged", () => {
  const python = (port: number, code: string): { status: number | null; out: string } => {
    const r = spawnSync('python3', ['-c', code.replace(/PORT/g, String(port))], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it("stores a notifier's events with their project metadata; dump_audit_trails writes a dump", async () => {
    const c = await collector();
    // What ic_audit.AuditNotifier._send does: one TCP connection per event, json.dumps, sendall, recv(1024).
    const notifier = `
import json, socket, time
def send(msg):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(('localhost', PORT))
        sock.sendall(msg if isinstance(msg, bytes) else json.dumps(msg).encode())
        print(sock.recv(4096).decode())
meta = {'project_name': 'LegacyBot', 'project_market': 'FOREX', 'project_description': 'Automated EURUSD', 'project_privileges': [None]}
send({'event_type': 'boot', 'event_description': 'Project was booted.', 'timestamp': time.time(), **meta})
send({'event_type': 'trade_opened', 'event_description': 'Opened long EURUSD', 'timestamp': time.time(), 'symbol': 'EURUSD', 'price': 1.085, 'quantity': 10000, **meta})
send(b'dump_audit_trails')
`;
    const r = python(c.port, notifier);
    expect(r.out.trim().split('\n')).toEqual(['Data received', 'Data received', 'Audit trails dumped']);
    expect(r.status).toBe(0);
    const dump = JSON.parse(readFileSync(join(c.dataDir, 'dumps', 'dumped_audit_trails.json'), 'utf8')) as Record<
      string,
      any[]
    >;
    // As the Python server kept them: every event with its project metadata, in the order the client wrote it.
    expect(dump['LegacyBot']!.map((e) => Object.keys(e))).toEqual([
      [
        'event_type',
        'event_description',
        'timestamp',
        'project_name',
        'project_market',
        'project_description',
        'project_privileges',
      ],
      [
        'event_type',
        'event_description',
        'timestamp',
        'symbol',
        'price',
        'quantity',
        'project_name',
        'project_market',
        'project_description',
        'project_privileges',
      ],
    ]);
    expect(dump['LegacyBot']![1]).toMatchObject({ project_market: 'FOREX', project_privileges: [null], price: 1.085 });
    // The terminal says where the dump went (the Python server wrote it into its working directory, silently).
    const path = join(c.dataDir, 'dumps', 'dumped_audit_trails.json');
    for (let i = 0; i < 200 && !c.output().includes(`dump written to ${path}`); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(c.output()).toContain(`ic-audit: dump written to ${path}`);
    expect(
      journalRecords(c.dataDir)
        .filter((x) => x['project_name'] === 'LegacyBot' && x['seq'] > 0)
        .map((x) => x['source']),
    ).toEqual(['legacy', 'legacy']);
  });

  it('writes legacy-triggered dumps where --legacy-dump-dir says', async () => {
    const where = join(tempDataDir(), 'desk-dumps');
    const c = await collector({ args: ['--legacy-dump-dir', where] });
    const r = python(
      c.port,
      `
import socket
with socket.socket() as s:
    s.connect(('localhost', PORT)); s.sendall(b'dump_compact'); print(s.recv(1024).decode())
`,
    );
    expect(r.out.trim()).toBe('Compact audit dump created');
    expect(readFileSync(join(where, 'compact_audit_dump.txt'), 'utf8')).toMatch(
      /^AUDIT SERVER COMPACT DUMP \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\n$/,
    );
    rmSync(dirname(where), { recursive: true, force: true });
  });

  it('answers invalid JSON the way the old server did', async () => {
    const c = await collector();
    const r = python(
      c.port,
      `
import socket
with socket.socket() as s:
    s.connect(('localhost', PORT)); s.sendall(b'{"event_type": oops}'); print(s.recv(1024).decode())
`,
    );
    expect(r.out.trim()).toBe('Invalid JSON data received');
  });

  it('imports a Python dump once, marked as imported', async () => {
    const c = await collector();
    await c.kill('SIGTERM');
    const file = join(c.dataDir, 'old-dump.json');
    writeFileSync(
      file,
      JSON.stringify({
        MyTradingBot: [
          {
            event_type: 'boot',
            event_description: 'Project was booted.',
            timestamp: 1692345600.123,
            project_name: 'MyTradingBot',
            project_market: 'FOREX',
            project_description: 'Automated EURUSD trading system',
            project_privileges: ['execute_trade'],
          },
          {
            event_type: 'trade_opened',
            event_description: 'Opened long EURUSD',
            timestamp: 1692345660.456,
            symbol: 'EURUSD',
            price: 1.085,
            quantity: 10000,
          },
        ],
      }),
    );
    const first = cli(['import', file, '--data-dir', c.dataDir]);
    expect(first.out).toMatch(/imported 2 events of 1 projects/);
    const second = cli(['import', file, '--data-dir', c.dataDir]);
    expect(second.out).toMatch(/already imported: MyTradingBot/);
    const imported = journalRecords(c.dataDir).filter((x) => x['source'] === 'import' && x['seq'] > 0);
    expect(imported).toHaveLength(2);
    expect(imported[1]).toMatchObject({
      timestamp: 1692345660.456,
      fields: { symbol: 'EURUSD', price: 1.085, quantity: 10000 },
    });
    const out = join(c.dataDir, 'all.json');
    cli(['dump', '--data-dir', c.dataDir, '--all', '--out', out]);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any[]>;
    expect(dump['MyTradingBot']![0]).toMatchObject({ project_market: 'FOREX', project_privileges: ['execute_trade'] });
    expect(cli(['verify', '--data-dir', c.dataDir]).status).toBe(0);
  });
});
