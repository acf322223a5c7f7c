import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as zlib from "node:zlib";
import { Crc32, crc32 } from "../../../src/serialization/zip/index.ts";

const zlibCrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

describe("crc32", () => {
  it("matches the standard check values", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    assert.equal(crc32(text("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(text("The quick brown fox jumps over the lazy dog")), 0x414fa339);
    assert.equal(crc32(new Uint8Array(32)), 0x190a55ad);
  });
  it("matches zlib for every length and alignment up to 300 bytes", { skip: zlibCrc ? false : "zlib.crc32 needs Node >= 20.15" }, () => {
    const buffer = new Uint8Array(400);
    for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 131 + 7) & 0xff;
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 0; length <= 300; length++) {
        const view = buffer.subarray(offset, offset + length);
        assert.equal(crc32(view), zlibCrc?.(view), `offset ${offset} length ${length}`);
      }
    }
  });
  it("chains across chunks", () => {
    const data = new Uint8Array(100_003).map((_, i) => (i * 7) ^ (i >> 8));
    const whole = crc32(data);
    let running = 0;
    for (let i = 0; i < data.length; i += 4097) running = crc32(data.subarray(i, i + 4097), running);
    assert.equal(running, whole);
    const incremental = new Crc32();
    for (let i = 0; i < data.length; i += 999) incremental.update(data.subarray(i, i + 999));
    assert.equal(incremental.value, whole);
  });
});
