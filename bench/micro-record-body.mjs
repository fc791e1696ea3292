// Micro-benchmark (not in `npm run bench`): does recordBody's positional parameter list matter on the ingest hot
// path, against the named-object form issue #14 asks for? Both build the same line; each call is followed by the
// journal's own next step (UTF-8 into a reused buffer), so a cost that only moves (string flattening) still counts.
// Several alternating rounds, ns per call, medians. Usage: node bench/micro-record-body.mjs [calls per round]
import { GENESIS_HASH, recordBody } from '@ic-audit/shared';

/** recordBody with one options object instead of twelve parameters; the same concatenation. */
function recordBodyNamed(r) {
  return (
    '{"id":' +
    r.id +
    ',"received_at":' +
    r.receivedAt +
    ',"session":' +
    r.sessionJson +
    ',"seq":' +
    r.seq +
    ',"source":"' +
    r.source +
    '","project_name":' +
    r.projectJson +
    ',"event_type":' +
    r.typeJson +
    ',"event_description":' +
    r.descriptionJson +
    ',"timestamp":' +
    r.timestamp +
    r.extrasJson +
    ',"fields":' +
    r.fieldsJson +
    ',"prev_hash":"' +
    r.prevHash +
    '"'
  );
}

const N = Number(process.argv[2] ?? 1_000_000);
const scratch = Buffer.allocUnsafeSlow(1 << 20);
const entries = Array.from({ length: 1024 }, (_, i) => ({
  receivedAt: 1764460000.123456 + i / 1e6,
  sessionJson: '"5f0c1d2e-aaaa-bbbb-cccc-0123456789ab"',
  seq: i + 1,
  source: 'ws',
  projectJson: '"bench-3"',
  typeJson: '"trade_opened"',
  descriptionJson: '"Opened long EURUSD"',
  timestamp: 1764460000.1 + i / 1e4,
  fieldsJson: `{"symbol":"EURUSD","side":"buy","price":1.08512,"quantity":${100_000 + i},"order_id":"ord-${i}","strategy":"mean-revert-v2","account":"desk-7"}`,
}));

function positional() {
  let off = 0;
  for (let i = 0; i < N; i++) {
    const e = entries[i & 1023];
    const body = recordBody(
      i,
      e.receivedAt,
      e.sessionJson,
      e.seq,
      e.source,
      e.projectJson,
      e.typeJson,
      e.descriptionJson,
      e.timestamp,
      '',
      e.fieldsJson,
      GENESIS_HASH,
    );
    off = (off + scratch.write(body, off & 0x7ffff, 'utf8')) & 0x7ffff;
  }
  return off;
}

function named() {
  let off = 0;
  for (let i = 0; i < N; i++) {
    const e = entries[i & 1023];
    const body = recordBodyNamed({
      id: i,
      receivedAt: e.receivedAt,
      sessionJson: e.sessionJson,
      seq: e.seq,
      source: e.source,
      projectJson: e.projectJson,
      typeJson: e.typeJson,
      descriptionJson: e.descriptionJson,
      timestamp: e.timestamp,
      extrasJson: '',
      fieldsJson: e.fieldsJson,
      prevHash: GENESIS_HASH,
    });
    off = (off + scratch.write(body, off & 0x7ffff, 'utf8')) & 0x7ffff;
  }
  return off;
}

const results = { positional: [], named: [] };
const runs = { positional, named };
for (let round = 0; round < 7; round++) {
  for (const name of round % 2 === 0 ? ['positional', 'named'] : ['named', 'positional']) {
    const t0 = process.hrtime.bigint();
    runs[name]();
    results[name].push(Number(process.hrtime.bigint() - t0) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(10)} ${median(xs).toFixed(0)} ns/call  [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
}
