/**
 * Lists the globals a pickle names (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, ...) by
 * walking its opcodes without executing any, like `pickletools.dis`. inspect reports them as writer evidence.
 */
import type { ByteSource } from "../io/types.ts";
import { opcodeInfo } from "../serialization/pickle/opcodes.ts";

const CHUNK = 1 << 16;

/** Reads a ByteSource forward through a window. */
class Cursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  constructor(private readonly source: ByteSource, public position: number) {}

  private ensure(n: number): boolean {
    const end = this.position + n;
    if (end > this.source.size) return false;
    if (this.position < this.windowStart || end > this.windowStart + this.window.length) {
      this.windowStart = this.position;
      this.window = this.source.read(this.position, Math.min(this.source.size - this.position, Math.max(CHUNK, n)));
    }
    return true;
  }

  byte(): number | undefined {
    if (!this.ensure(1)) return undefined;
    return this.window[this.position++ - this.windowStart];
  }

  bytes(n: number): Uint8Array | undefined {
    if (!this.ensure(n)) return undefined;
    const start = this.position - this.windowStart;
    this.position += n;
    return this.window.subarray(start, start + n);
  }

  uint(n: number): number | undefined {
    const b = this.bytes(n);
    if (!b) return undefined;
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i];
    return v;
  }

  line(): string | undefined {
    let text = "";
    for (;;) {
      const c = this.byte();
      if (c === undefined) return undefined;
      if (c === 0x0a) return text;
      text += String.fromCharCode(c);
    }
  }
}

const FIXED: Record<string, number> = { u1: 1, u2: 2, i4: 4, u4: 4, u8: 8, f8: 8 };
const LENGTH: Record<string, number> = { "u1-bytes": 1, "u4-bytes": 4, "i4-bytes": 4, "u8-bytes": 8 };
const STOP = 0x2e;

/**
 * The `module.name` of every GLOBAL / INST opcode of the pickle starting at `position`, in order of first
 * appearance (`STACK_GLOBAL` names are computed at load time and listed as `<STACK_GLOBAL>`). Stops at STOP,
 * or quietly at the first byte that is no opcode.
 */
export function pickleGlobals(source: ByteSource | Uint8Array, position = 0): string[] {
  const input: ByteSource = source instanceof Uint8Array ? { size: source.length, read: (o, n) => source.subarray(o, o + n) } : source;
  const cursor = new Cursor(input, position);
  const found = new Set<string>();
  for (;;) {
    const code = cursor.byte();
    if (code === undefined || code === STOP) break;
    const info = opcodeInfo(code);
    if (!info) break;
    if (info.name === "STACK_GLOBAL") found.add("<STACK_GLOBAL>");
    const arg = info.argument;
    if (arg === "none") continue;
    if (arg === "two-lines") {
      const module = cursor.line();
      const name = cursor.line();
      if (module === undefined || name === undefined) break;
      found.add(`${module}.${name}`);
    } else if (arg === "line") {
      if (cursor.line() === undefined) break;
    } else if (arg in FIXED) {
      if (cursor.bytes(FIXED[arg]) === undefined) break;
    } else if (arg in LENGTH) {
      const n = cursor.uint(LENGTH[arg]);
      if (n === undefined || n > input.size || cursor.bytes(n) === undefined) break;
    }
  }
  return [...found];
}
