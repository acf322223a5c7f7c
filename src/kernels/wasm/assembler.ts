/**
 * A tiny WebAssembly assembler: just enough of the binary format (https://webassembly.github.io/spec/core/binary/)
 * to emit the SIMD kernels in this folder from TypeScript, with no toolchain and no binary blobs in the repo.
 * Opcodes are data (the OP table); `Code` appends instructions; `assemble` wraps functions into a module that
 * imports one memory.
 */

/** Value types. */
export const I32 = 0x7f;
/** Value types. */
export const F32 = 0x7d;
/** Value types. */
export const V128 = 0x7b;

/** Opcodes used by the kernels (single-byte ones; SIMD ones follow the 0xfd prefix). */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  f32Load: 0x2a, f32Store: 0x38,
  i32Const: 0x41, f32Const: 0x43,
  i32Eqz: 0x45, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32LeS: 0x4c, i32GeS: 0x4e, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74,
  f32Add: 0x92, f32Mul: 0x94,
} as const;

/** SIMD opcodes (after the 0xfd prefix, LEB128-encoded). */
export const SIMD = {
  v128Load: 0x00, v128Store: 0x0b, v128Const: 0x0c, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** An instruction sequence under construction. Memory accesses take a constant byte offset. */
export class Code {
  readonly bytes: number[] = [];

  private emit(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(op: number): this {
    return this.emit(0xfd, ...uleb(op));
  }

  get(local: number): this { return this.emit(OP.localGet, ...uleb(local)); }
  set(local: number): this { return this.emit(OP.localSet, ...uleb(local)); }
  tee(local: number): this { return this.emit(OP.localTee, ...uleb(local)); }
  i32(value: number): this { return this.emit(OP.i32Const, ...sleb(value)); }
  add(): this { return this.emit(OP.i32Add); }
  sub(): this { return this.emit(OP.i32Sub); }
  mul(): this { return this.emit(OP.i32Mul); }
  and(): this { return this.emit(OP.i32And); }
  shl(): this { return this.emit(OP.i32Shl); }
  ltS(): this { return this.emit(OP.i32LtS); }
  ltU(): this { return this.emit(OP.i32LtU); }
  geU(): this { return this.emit(OP.i32GeU); }
  or(): this { return this.emit(OP.i32Or); }
  leS(): this { return this.emit(OP.i32LeS); }
  eqz(): this { return this.emit(OP.i32Eqz); }
  f32Zero(): this { return this.emit(OP.f32Const, 0, 0, 0, 0); }
  f32Load(offset = 0): this { return this.emit(OP.f32Load, 2, ...uleb(offset)); }
  f32Store(offset = 0): this { return this.emit(OP.f32Store, 2, ...uleb(offset)); }
  f32Add(): this { return this.emit(OP.f32Add); }
  f32Mul(): this { return this.emit(OP.f32Mul); }
  v128Load(offset = 0): this { return this.simd(SIMD.v128Load).emit(2, ...uleb(offset)); }
  v128Store(offset = 0): this { return this.simd(SIMD.v128Store).emit(2, ...uleb(offset)); }
  v128Zero(): this { return this.simd(SIMD.v128Const).emit(...new Array<number>(16).fill(0)); }
  splat(): this { return this.simd(SIMD.f32x4Splat); }
  lane(i: number): this { return this.simd(SIMD.f32x4ExtractLane).emit(i); }
  vAdd(): this { return this.simd(SIMD.f32x4Add); }
  vMul(): this { return this.simd(SIMD.f32x4Mul); }
  /** `if (cond on stack) { then }`. */
  ifThen(then: (c: this) => void): this {
    this.emit(OP.if, 0x40);
    then(this);
    return this.emit(OP.end);
  }
  /** `if (cond on stack) { then } else { otherwise }`. */
  ifElse(then: (c: this) => void, otherwise: (c: this) => void): this {
    this.emit(OP.if, 0x40);
    then(this);
    this.emit(OP.else);
    otherwise(this);
    return this.emit(OP.end);
  }
  /** `while (cond()) { body() }`: cond pushes an i32. */
  while(cond: (c: this) => void, body: (c: this) => void): this {
    this.emit(OP.block, 0x40, OP.loop, 0x40);
    cond(this);
    this.emit(OP.i32Eqz, OP.brIf, 1);
    body(this);
    return this.emit(OP.br, 0, OP.end, OP.end);
  }
  /** local += value pushed by `value`. */
  addTo(local: number, value: (c: this) => void): this {
    this.get(local);
    value(this);
    return this.add().set(local);
  }
}

/** One exported function. */
export interface FunctionDef {
  name: string;
  params: number[];
  /** Extra locals, by type, in order after the params. */
  locals: number[];
  body: Code;
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}
function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}
function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** A module importing `env.memory` (shared, with the given page limits) and exporting `functions` (no results). */
export function assemble(functions: FunctionDef[], memory: { min: number; max: number; shared: boolean }): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0])));
  const limits = memory.shared ? [0x03, ...uleb(memory.min), ...uleb(memory.max)] : [0x01, ...uleb(memory.min), ...uleb(memory.max)];
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]]));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const bodies = functions.map((f) => {
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([count, t]) => [...uleb(count), t])), ...f.body.bytes, OP.end];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}
