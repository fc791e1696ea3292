// Quick self-check of send() cost while connected, side by side with pino's logger.info(obj, msg) to an async
// destination. Not the team's benchmark (`npm run bench`); run: `node client-sdk/bench-send.mjs` after a build.
import { setImmediate as tick } from 'node:timers/promises';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { AuditNotifier, ProjectEvents } from '@ic-audit/client';

const CHUNKS = 300;
const PER_CHUNK = 1000;

// A minimal collector stand-in: welcome, then ack every events frame at once.
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((r) => wss.once('listening', r));
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', v: 1, session: f.session, acked: 0 }));
    else if (f.type === 'events') ws.send(JSON.stringify({ type: 'ack', seq: f.events[f.events.length - 1].seq }));
  });
});

const now = process.hrtime.bigint;
function quantiles(samples, overhead) {
  samples.sort((a, b) => a - b);
  const q = (p) => Math.max(0, samples[Math.floor(p * (samples.length - 1))] - overhead);
  return { p50: q(0.5), p99: q(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length - overhead };
}
async function measure(fn) {
  const samples = new Float64Array(CHUNKS * PER_CHUNK);
  let k = 0;
  for (let c = 0; c < CHUNKS; c++) {
    for (let i = 0; i < PER_CHUNK; i++) {
      const t0 = now();
      fn(i);
      samples[k++] = Number(now() - t0);
    }
    await tick(); // let batches, acks and pino's writes happen, as in a real bot
  }
  return Array.from(samples);
}

const overhead = quantiles(await measure(() => {}), 0).p50;
const notifier = new AuditNotifier({
  projectName: 'bench',
  projectMarket: 'FOREX',
  url: `ws://127.0.0.1:${wss.address().port}/ingest`,
});
while (!notifier.stats().connected) await tick();
const sdk = quantiles(
  await measure((i) =>
    notifier.send(ProjectEvents.TRADE_OPENED, 'Opened long EURUSD', { symbol: 'EURUSD', price: 1.085, quantity: i }),
  ),
  overhead,
);
const logger = pino(pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
const pin = quantiles(
  await measure((i) => logger.info({ symbol: 'EURUSD', price: 1.085, quantity: i }, 'Opened long EURUSD')),
  overhead,
);
const flushed = await notifier.close(10_000);
wss.close();
const f = (x) => x.toFixed(0).padStart(6);
console.log(`timer overhead subtracted: ${overhead.toFixed(0)} ns; ${CHUNKS * PER_CHUNK} calls each`);
console.log(
  `send()        p50 ${f(sdk.p50)} ns  p99 ${f(sdk.p99)} ns  mean ${f(sdk.mean)} ns  (all acked: ${flushed}, ${JSON.stringify(notifier.stats())})`,
);
console.log(`pino.info()   p50 ${f(pin.p50)} ns  p99 ${f(pin.p99)} ns  mean ${f(pin.mean)} ns`);
console.log(`ratio pino/send: p50 ${(pin.p50 / sdk.p50).toFixed(1)}x  mean ${(pin.mean / sdk.mean).toFixed(1)}x`);
