#!/usr/bin/env node
// Draws media/icon.png (128×128): three lines of "text", two of them highlighted as entity spans.
// Generated rather than hand-drawn so the repo needs no image editor; PNG encoded with zlib.
import fs from 'node:fs';
import zlib from 'node:zlib';

const size = 128;
const px = new Uint8Array(size * size * 4);
const fill = (x0, y0, x1, y1, [r, g, b, a = 255]) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px.set([r, g, b, a], (y * size + x) * 4);
};
const roundedMask = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), size - 1 - r);
  const cy = Math.min(Math.max(y, r), size - 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
fill(0, 0, size, size, [30, 34, 48]);
const rows = [
  [
    [14, 40, [200, 205, 215]],
    [46, 100, [255, 196, 61]],
  ],
  [
    [14, 70, [120, 200, 255]],
    [76, 114, [200, 205, 215]],
  ],
  [
    [14, 58, [200, 205, 215]],
    [64, 92, [140, 230, 160]],
  ],
];
rows.forEach((row, i) => {
  const y = 26 + i * 30;
  for (const [x0, x1, colour] of row) fill(x0, y, x1, y + 16, colour);
});
for (let y = 0; y < size; y++)
  for (let x = 0; x < size; x++) if (!roundedMask(x, y, 22)) px[(y * size + x) * 4 + 3] = 0;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8);
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) raw.set(px.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(raw)),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.writeFileSync(new URL('../media/icon.png', import.meta.url), png);
