// Draws the toolbar icons (extension/icons/icon-{16,32,48,128}.png): a blue rounded square with
// a white "T". Run with `node scripts/make-icons.mjs`; the PNGs are committed, so the build does
// not need this script. Pure Node (zlib), no image library.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x5f, 0xbf];
const WHITE = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 4;

// Shapes in a 0..1 square; later shapes paint over earlier ones.
function colourAt(x, y) {
  const r = 0.2; // corner radius of the square
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  const bar = x >= 0.2 && x <= 0.8 && y >= 0.2 && y <= 0.36;
  const stem = x >= 0.41 && x <= 0.59 && y >= 0.2 && y <= 0.82;
  return bar || stem ? WHITE : BLUE;
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const rows = [];
  for (let py = 0; py < size; py += 1) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px += 1) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy += 1) {
        for (let sx = 0; sx < SUPERSAMPLE; sx += 1) {
          const c = colourAt(
            (px + (sx + 0.5) / SUPERSAMPLE) / size,
            (py + (sy + 0.5) / SUPERSAMPLE) / size,
          );
          if (c) {
            sum[0] += c[0];
            sum[1] += c[1];
            sum[2] += c[2];
            sum[3] += 255;
          }
        }
      }
      const hits = sum[3] / 255;
      const o = 1 + px * 4;
      if (hits > 0) {
        row[o] = Math.round(sum[0] / hits);
        row[o + 1] = Math.round(sum[1] / hits);
        row[o + 2] = Math.round(sum[2] / hits);
      }
      row[o + 3] = Math.round(sum[3] / SUPERSAMPLE ** 2);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = new URL('../extension/icons/', import.meta.url);
for (const size of [16, 32, 48, 128]) {
  writeFileSync(new URL(`icon-${size}.png`, dir), png(size));
}
