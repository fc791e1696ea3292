#!/usr/bin/env node
// Draws the app icon (512x512 PNG: a dark tile with a teal audit ring and tick) into electron/assets/icon.png.
// Run once when the design changes; the PNG is committed. No image library needed: raw RGBA + zlib.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 512;
const px = Buffer.alloc(N * N * 4);
const set = (x, y, [r, g, b, a]) => {
  const i = (y * N + x) * 4;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
  px[i + 3] = a;
};
const BG = [13, 17, 23, 255];
const TEAL = [45, 212, 191, 255];
const C = N / 2;
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    // Rounded square tile.
    const dx = Math.max(Math.abs(x - C + 0.5) - (C - 96), 0);
    const dy = Math.max(Math.abs(y - C + 0.5) - (C - 96), 0);
    if (Math.hypot(dx, dy) > 80) continue;
    set(x, y, BG);
    const r = Math.hypot(x - C + 0.5, y - C + 0.5);
    if (r > 150 && r < 190) set(x, y, TEAL);
    // Tick: two strokes.
    const d1 = Math.abs(y - 270 - (x - 190)) / Math.SQRT2;
    const d2 = Math.abs(y - 330 + (x - 250)) / Math.SQRT2;
    if ((d1 < 16 && x >= 180 && x <= 252) || (d2 < 16 && x >= 240 && x <= 345)) set(x, y, TEAL);
  }
}
const raw = Buffer.alloc((N * 4 + 1) * N);
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../electron/assets/icon.png', import.meta.url), png);
console.log(`icon: ${png.length} bytes`);
