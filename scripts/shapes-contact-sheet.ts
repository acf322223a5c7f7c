/**
 * Draws a contact sheet of the synthetic shapes data set as a PNG: one row per class, `columns` examples
 * each, scaled up. Usage: npx tsx scripts/shapes-contact-sheet.ts [out.png] [columns] [scale] [seed]
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { drawShapes, SHAPE_CLASSES, SHAPE_IMAGE_SIZE } from "../src/data/synthetic-shapes.ts";

const [out = "docs/synthetic-shapes.png", columnsArg = "10", scaleArg = "2", seedArg = "0"] = process.argv.slice(2);
const columns = Number(columnsArg);
const scale = Number(scaleArg);
const classes = SHAPE_CLASSES.length;
const S = SHAPE_IMAGE_SIZE;
const gap = 2;

// Draw enough images to have `columns` of every class (labels are balanced and shuffled).
const { images, labels } = drawShapes(classes * columns, Number(seedArg));
const cell = S * scale + gap;
const width = columns * cell + gap;
const height = classes * cell + gap;
const rgb = new Uint8Array(width * height * 3).fill(255);
const filled = new Array<number>(classes).fill(0);
for (let i = 0; i < labels.length; i++) {
  const row = labels[i];
  const col = filled[row]++;
  for (let y = 0; y < S * scale; y++) {
    for (let x = 0; x < S * scale; x++) {
      const src = Math.floor(y / scale) * S + Math.floor(x / scale);
      const dst = ((gap + row * cell + y) * width + gap + col * cell + x) * 3;
      for (let c = 0; c < 3; c++) rgb[dst + c] = Math.round(images[i * 3 * S * S + c * S * S + src] * 255);
    }
  }
}
writeFileSync(out, encodePng(rgb, width, height));
console.log(`wrote ${out} (${width}x${height}); rows: ${SHAPE_CLASSES.join(", ")}`);

/**
 * A minimal RGB8 PNG encoder (zlib via node:zlib). Rows that repeat the row above use filter 2 (Up: all
 * zeros), the others filter 1 (Sub), so the scaled-up pixels compress.
 */
function encodePng(pixels: Uint8Array, w: number, h: number): Uint8Array {
  const stride = w * 3;
  const raw = new Uint8Array(h * (stride + 1));
  for (let y = 0; y < h; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const out = y * (stride + 1);
    const above = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    if (above && row.every((v, i) => v === above[i])) {
      raw[out] = 2;
    } else {
      raw[out] = 1;
      for (let i = 0; i < stride; i++) raw[out + 1 + i] = (row[i] - (i >= 3 ? row[i - 3] : 0)) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, w);
  view.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const chunks = [chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", new Uint8Array(0))];
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const png = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  png.set(signature, 0);
  let pos = 8;
  for (const c of chunks) { png.set(c, pos); pos += c.length; }
  return png;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
