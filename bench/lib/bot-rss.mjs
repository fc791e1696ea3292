// Child process for B5: a bot with the real SDK and no collector reachable buffers N events; prints its RSS before
// and after (MiB) and the UTF-8 size of the events as the SDK serializes them, as JSON on stdout.
import { createServer } from 'node:net';
import { AuditNotifier } from '@ic-audit/client';
import { DESC, TYPE, fields } from './workload.mjs';

const n = Number(process.argv[2] ?? 99_999);
const MiB = 2 ** 20;
// A port nothing listens on (bound, then released), on 127.0.0.1.
const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
globalThis.gc?.();
const before = process.memoryUsage().rss;
const bot = new AuditNotifier({ projectName: 'rss-bot', projectMarket: 'FOREX', url: `ws://127.0.0.1:${port}/ingest` });
let bytes = 0;
for (let i = 0; i < n; i++) {
  bot.send(TYPE, DESC, fields(i));
  if (i % 1000 === 0)
    bytes +=
      Buffer.byteLength(
        JSON.stringify({
          seq: i + 2,
          event_type: TYPE,
          event_description: DESC,
          timestamp: Date.now() / 1000,
          fields: fields(i),
        }),
      ) * 1000;
}
globalThis.gc?.();
const after = process.memoryUsage().rss;
const { queued, dropped } = bot.stats();
await bot.close(0);
process.stdout.write(
  JSON.stringify({ beforeMiB: before / MiB, afterMiB: after / MiB, eventsMiB: bytes / MiB, queued, dropped }) + '\n',
);
