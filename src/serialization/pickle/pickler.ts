/**
 * A pickler that writes what PyTorch's weights-only loaders (1.13 and 2.x) and CPython accept:
 * protocol 2 opcodes only (PROTO 2, GLOBAL, BINPUT/BINGET, BINUNICODE, BININT1/BININT2/BININT/LONG1,
 * BINFLOAT, NEWTRUE/NEWFALSE/NONE, EMPTY_TUPLE/TUPLE1-3/MARK TUPLE, EMPTY_LIST/APPEND(S),
 * EMPTY_DICT/SETITEM(S), REDUCE, NEWOBJ, BUILD, BINPERSID, STOP), laid out as CPython's pickler does.
 * A higher `protocol` only changes how bytes are written (BINBYTES instead of `_codecs.encode`).
 *
 * Shared objects are written once and referenced through the memo (containers, tuples, reduced
 * values, GLOBALs, and equal strings). Cycles through lists, dicts and BUILD states are written
 * through the memo as CPython does; a cycle through a tuple, set, or a reduced value's arguments
 * (which CPython handles with POP tricks that PyTorch's readers do not need) is a PicklingError.
 *
 * Reference: CPython `Lib/pickle.py` (`_Pickler`).
 */
import { PyByteArray } from "../../python/bytes.ts";
import { PyComplex } from "../../python/complex.ts";
import { type PyDict, isOrderedDict, isPlainObject, pyAttributes } from "../../python/dict.ts";
import { PyFloat } from "../../python/float.ts";
import { PyGlobal } from "../../python/global.ts";
import { PyObject } from "../../python/object.ts";
import { FrozenSet } from "../../python/set.ts";
import { Tuple, tupleFrom } from "../../python/tuple.ts";
import { PicklingError } from "./errors.ts";
import { encodeLong } from "./long.ts";
import { Op } from "./opcodes.ts";
import { PickleOutput } from "./output.ts";
import { latin1 } from "./text.ts";
import { encodeUtf8 } from "./utf8.ts";

/** How to write a value as `module.name(*args)` (REDUCE) or `cls.__new__(cls, *args)` (NEWOBJ), then BUILD `state`. */
export interface PyReduce {
  readonly module: string;
  readonly name: string;
  /** Positional arguments, written as a tuple. */
  readonly args: readonly unknown[];
  /** BUILD state; omitted or undefined means no BUILD. */
  readonly state?: unknown;
  /** Write NEWOBJ instead of REDUCE. */
  readonly newobj?: boolean;
}

/** Options of `pickle` and `Pickler`. */
export interface PickleOptions {
  /** 2 (default; what torch.save writes) to 5. Only the bytes encoding depends on it. */
  protocol?: 2 | 3 | 4 | 5;
  /** Returns a persistent id for values stored outside the pickle (storages), or undefined. */
  persistentId?: (value: unknown) => unknown;
  /** Returns how to write an object the value model does not know (tensors), or undefined. */
  reduceValue?: (value: unknown) => PyReduce | undefined;
  /** Maximum nesting depth; default 1000. */
  maxDepth?: number;
}

const BATCH_SIZE = 1000;

/** Writes values as pickles. One instance can `dump` several values; each gets a fresh memo. */
export class Pickler {
  private readonly protocol: number;
  private readonly maxDepth: number;
  private out = new PickleOutput();
  private memo = new Map<unknown, number>();
  private strings = new Map<string, number>();
  private globals = new Map<string, number>();
  private inProgress = new Set<object>();

  /** @param options protocol, hooks, limits */
  constructor(private readonly options: PickleOptions = {}) {
    this.protocol = options.protocol ?? 2;
    if (![2, 3, 4, 5].includes(this.protocol)) throw new RangeError(`pickle protocol must be 2 to 5, got ${this.protocol}`);
    this.maxDepth = options.maxDepth ?? 1000;
  }

  /** The pickle of `value`: `80 02 ... 2e`. */
  dump(value: unknown): Uint8Array {
    this.out = new PickleOutput();
    this.memo = new Map();
    this.strings = new Map();
    this.globals = new Map();
    this.inProgress = new Set();
    this.out.op1(Op.PROTO, this.protocol);
    this.save(value, 0, false);
    this.out.u8(Op.STOP);
    return this.out.result();
  }

  private save(value: unknown, depth: number, skipPersistentId: boolean): void {
    if (depth > this.maxDepth) throw new PicklingError("TOO_DEEP", `value nests deeper than ${this.maxDepth} levels`);
    if (!skipPersistentId && this.options.persistentId) {
      const pid = this.options.persistentId(value);
      if (pid !== undefined) {
        this.save(pid, depth + 1, true);
        this.out.u8(Op.BINPERSID);
        return;
      }
    }
    switch (typeof value) {
      case "boolean":
        this.out.u8(value ? Op.NEWTRUE : Op.NEWFALSE);
        return;
      case "number":
        if (Number.isInteger(value) && !Object.is(value, -0)) this.saveInt(value);
        else this.saveFloat(value);
        return;
      case "bigint":
        this.saveInt(value);
        return;
      case "string":
        this.saveString(value);
        return;
      case "object":
        if (value === null) this.out.u8(Op.NONE);
        else this.saveObject(value, depth);
        return;
      case "undefined":
        throw new PicklingError("UNPICKLABLE", "undefined has no Python form (use null for None)");
      default:
        throw new PicklingError("UNPICKLABLE", `a ${typeof value} has no Python form`);
    }
  }

  private saveObject(value: object, depth: number): void {
    const index = this.memo.get(value);
    if (index !== undefined) {
      this.writeGet(index);
      return;
    }
    const reduced = this.options.reduceValue?.(value);
    if (reduced) this.saveReduce(value, reduced, depth);
    else if (value instanceof PyFloat) this.saveFloat(value.value);
    else if (value instanceof PyByteArray) this.saveByteArray(value, depth);
    else if (value instanceof Uint8Array) this.saveBytes(value, value);
    else if (value instanceof Tuple) this.saveTuple(value, depth);
    else if (Array.isArray(value)) this.saveList(value, depth);
    else if (value instanceof Map || isPlainObject(value)) this.saveDict(value, depth);
    else if (value instanceof Set) this.saveSet(value, depth);
    else if (value instanceof PyGlobal) this.saveGlobal(value.module, value.name);
    else if (value instanceof PyObject) this.savePyObject(value, depth);
    else if (value instanceof PyComplex) this.saveComplex(value);
    else {
      const name = value.constructor?.name ?? "object";
      throw new PicklingError("UNPICKLABLE", `Can't pickle ${name}: it has no Python form and no reduceValue hook handled it`);
    }
  }

  // --- memo ----------------------------------------------------------------------------------

  private nextMemoIndex(): number {
    return this.memo.size + this.strings.size + this.globals.size;
  }

  private writePut(index: number): void {
    if (index < 256) this.out.op1(Op.BINPUT, index);
    else {
      this.out.u8(Op.LONG_BINPUT);
      this.out.u32(index);
    }
  }

  private writeGet(index: number): void {
    if (index < 256) this.out.op1(Op.BINGET, index);
    else {
      this.out.u8(Op.LONG_BINGET);
      this.out.u32(index);
    }
  }

  private memoize(value: object): void {
    const index = this.nextMemoIndex();
    this.memo.set(value, index);
    this.writePut(index);
  }

  /** Memoizes a temporary (an argument tuple or list CPython would memoize), keeping indices aligned with CPython. */
  private memoizeTemporary(): void {
    this.memoize({});
  }

  private enter(value: object, what: string): void {
    if (this.inProgress.has(value)) {
      throw new PicklingError("CYCLE", `cannot pickle a cycle through a ${what}: it contains itself`);
    }
    this.inProgress.add(value);
  }

  // --- scalars -------------------------------------------------------------------------------

  private saveInt(value: number | bigint): void {
    const small = typeof value === "bigint" ? (value >= -0x80000000n && value <= 0x7fffffffn ? Number(value) : undefined) : value;
    if (small !== undefined && small >= -0x80000000 && small <= 0x7fffffff) {
      if (small >= 0 && small <= 0xff) this.out.op1(Op.BININT1, small);
      else if (small >= 0 && small <= 0xffff) {
        this.out.u8(Op.BININT2);
        this.out.u16(small);
      } else {
        this.out.u8(Op.BININT);
        this.out.u32(small);
      }
      return;
    }
    const bytes = encodeLong(typeof value === "bigint" ? value : BigInt(value));
    if (bytes.length < 256) this.out.op1(Op.LONG1, bytes.length);
    else {
      this.out.u8(Op.LONG4);
      this.out.u32(bytes.length);
    }
    this.out.bytes(bytes);
  }

  private saveFloat(value: number): void {
    this.out.u8(Op.BINFLOAT);
    this.out.f64be(value);
  }

  private saveString(value: string): void {
    const index = this.strings.get(value);
    if (index !== undefined) {
      this.writeGet(index);
      return;
    }
    const bytes = encodeUtf8(value);
    if (bytes.length > 0xffffffff) {
      if (this.protocol < 4) throw new PicklingError("BAD_VALUE", "a str over 4 GiB needs protocol 4");
      this.out.u8(Op.BINUNICODE8);
      this.out.u64(bytes.length);
    } else {
      this.out.u8(Op.BINUNICODE);
      this.out.u32(bytes.length);
    }
    this.out.bytes(bytes);
    const memoIndex = this.nextMemoIndex();
    this.strings.set(value, memoIndex);
    this.writePut(memoIndex);
  }

  private saveBytes(bytes: Uint8Array, memoKey: object | undefined): void {
    if (this.protocol >= 3) {
      if (bytes.length < 256) this.out.op1(Op.SHORT_BINBYTES, bytes.length);
      else if (bytes.length <= 0xffffffff) {
        this.out.u8(Op.BINBYTES);
        this.out.u32(bytes.length);
      } else {
        if (this.protocol < 4) throw new PicklingError("BAD_VALUE", "bytes over 4 GiB need protocol 4");
        this.out.u8(Op.BINBYTES8);
        this.out.u64(bytes.length);
      }
      this.out.bytes(bytes);
    } else {
      // What CPython writes at protocol 2 (and PyTorch allowlists): _codecs.encode(text, 'latin1').
      this.saveGlobal("_codecs", "encode");
      this.saveString(latin1(bytes));
      this.saveString("latin1");
      this.out.u8(Op.TUPLE2);
      this.memoizeTemporary();
      this.out.u8(Op.REDUCE);
    }
    if (memoKey) this.memoize(memoKey);
  }

  private saveByteArray(value: PyByteArray, depth: number): void {
    if (this.protocol >= 5) {
      this.out.u8(Op.BYTEARRAY8);
      this.out.u64(value.length);
      this.out.bytes(value);
    } else {
      this.saveGlobal("builtins", "bytearray");
      if (value.length === 0) this.out.u8(Op.EMPTY_TUPLE);
      else {
        this.save(new Uint8Array(value), depth + 1, true);
        this.out.u8(Op.TUPLE1);
        this.memoizeTemporary();
      }
      this.out.u8(Op.REDUCE);
    }
    this.memoize(value);
  }

  private saveComplex(value: PyComplex): void {
    this.saveGlobal("builtins", "complex");
    this.saveFloat(value.real);
    this.saveFloat(value.imag);
    this.out.u8(Op.TUPLE2);
    this.memoizeTemporary();
    this.out.u8(Op.REDUCE);
    this.memoize(value);
  }

  // --- containers ----------------------------------------------------------------------------

  private saveTuple(value: Tuple<unknown>, depth: number): void {
    if (value.length === 0) {
      this.out.u8(Op.EMPTY_TUPLE);
      return;
    }
    this.enter(value, "tuple");
    if (value.length <= 3) {
      for (const item of value) this.save(item, depth + 1, false);
      this.out.u8(Op.TUPLE1 + value.length - 1);
    } else {
      this.out.u8(Op.MARK);
      for (const item of value) this.save(item, depth + 1, false);
      this.out.u8(Op.TUPLE);
    }
    this.inProgress.delete(value);
    this.memoize(value);
  }

  private saveList(value: unknown[], depth: number): void {
    this.out.u8(Op.EMPTY_LIST);
    this.memoize(value);
    this.batchAppends(value, depth);
  }

  /** As CPython's C pickler (batch_list_exact): one item -> APPEND; else batches of 1000 as MARK ... APPENDS. */
  private batchAppends(items: readonly unknown[], depth: number): void {
    if (items.length === 1) {
      this.save(items[0], depth + 1, false);
      this.out.u8(Op.APPEND);
      return;
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, items.length);
      this.out.u8(Op.MARK);
      for (let i = start; i < end; i++) this.save(items[i], depth + 1, false);
      this.out.u8(Op.APPENDS);
    }
  }

  private saveDict(value: PyDict, depth: number): void {
    const entries: Array<[unknown, unknown]> = value instanceof Map ? [...value] : Object.entries(value);
    if (!isOrderedDict(value)) {
      this.out.u8(Op.EMPTY_DICT);
      this.memoize(value);
      this.batchSetItems(entries, depth);
      return;
    }
    // collections.OrderedDict.__reduce__: (OrderedDict, (), state, None, items)
    this.saveGlobal("collections", "OrderedDict");
    this.out.u8(Op.EMPTY_TUPLE);
    this.out.u8(Op.REDUCE);
    this.memoize(value);
    this.batchSetItems(entries, depth);
    const attributes = pyAttributes(value);
    if (attributes.length > 0) {
      this.out.u8(Op.EMPTY_DICT);
      this.memoizeTemporary();
      this.batchSetItems(attributes, depth);
      this.out.u8(Op.BUILD);
    }
  }

  /** As CPython's C pickler (batch_dict_exact): one item -> SETITEM; else batches of 1000 as MARK ... SETITEMS. */
  private batchSetItems(entries: ReadonlyArray<readonly [unknown, unknown]>, depth: number): void {
    if (entries.length === 1) {
      this.save(entries[0][0], depth + 1, false);
      this.save(entries[0][1], depth + 1, false);
      this.out.u8(Op.SETITEM);
      return;
    }
    for (let start = 0; start < entries.length; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, entries.length);
      this.out.u8(Op.MARK);
      for (let i = start; i < end; i++) {
        this.save(entries[i][0], depth + 1, false);
        this.save(entries[i][1], depth + 1, false);
      }
      this.out.u8(Op.SETITEMS);
    }
  }

  private saveSet(value: Set<unknown>, depth: number): void {
    // Protocol 2 form, as CPython writes it: builtins.set([items]) / builtins.frozenset([items]).
    this.enter(value, "set");
    this.saveGlobal("builtins", value instanceof FrozenSet ? "frozenset" : "set");
    this.out.u8(Op.EMPTY_LIST);
    this.memoizeTemporary();
    this.batchAppends([...value], depth);
    this.out.u8(Op.TUPLE1);
    this.memoizeTemporary();
    this.out.u8(Op.REDUCE);
    this.inProgress.delete(value);
    this.memoize(value);
  }

  // --- globals and objects -------------------------------------------------------------------

  private saveGlobal(module: string, name: string): void {
    const key = `${module}\n${name}`;
    const index = this.globals.get(key);
    if (index !== undefined) {
      this.writeGet(index);
      return;
    }
    for (const part of [module, name]) {
      if (part.length === 0 || part.includes("\n")) {
        throw new PicklingError("BAD_VALUE", `invalid global name ${JSON.stringify(`${module}.${name}`)}`);
      }
      if (this.protocol < 3 && !/^[\x00-\x7f]*$/.test(part)) {
        throw new PicklingError("BAD_VALUE", `can't pickle global identifier '${module}.${name}' using pickle protocol ${this.protocol}`);
      }
    }
    this.out.u8(Op.GLOBAL);
    this.out.bytes(encodeUtf8(`${module}\n${name}\n`));
    const memoIndex = this.nextMemoIndex();
    this.globals.set(key, memoIndex);
    this.writePut(memoIndex);
  }

  private saveCall(value: object, module: string, name: string, args: readonly unknown[], newobj: boolean, depth: number): void {
    this.enter(value, `${module}.${name} value`);
    this.saveGlobal(module, name);
    this.save(args instanceof Tuple ? args : tupleFrom(args), depth + 1, false);
    this.out.u8(newobj ? Op.NEWOBJ : Op.REDUCE);
    this.inProgress.delete(value);
    this.memoize(value);
  }

  private saveReduce(value: object, reduced: PyReduce, depth: number): void {
    this.saveCall(value, reduced.module, reduced.name, reduced.args, reduced.newobj === true, depth);
    if (reduced.state !== undefined) {
      this.save(reduced.state, depth + 1, false);
      this.out.u8(Op.BUILD);
    }
  }

  private savePyObject(value: PyObject, depth: number): void {
    if (value.kwargs !== undefined) {
      if (this.protocol < 4) {
        throw new PicklingError("BAD_VALUE", `${value.qualifiedName} was made with keyword arguments (NEWOBJ_EX): needs protocol 4`);
      }
      this.enter(value, `${value.qualifiedName} value`);
      this.saveGlobal(value.module, value.name);
      this.save(value.args, depth + 1, false);
      this.save(value.kwargs, depth + 1, false);
      this.out.u8(Op.NEWOBJ_EX);
      this.inProgress.delete(value);
      this.memoize(value);
    } else {
      this.saveCall(value, value.module, value.name, value.args, value.creation === "newobj", depth);
    }
    if (value.state !== undefined) {
      this.save(value.state, depth + 1, false);
      this.out.u8(Op.BUILD);
    }
  }
}

/**
 * The protocol-2 pickle of `value`, as torch.save's `data.pkl` holds it.
 *
 * ```ts
 * pickle(orderedDict([['lr', 0.001], ['betas', tuple(0.9, 0.999)]]))
 * ```
 */
export function pickle(value: unknown, options: PickleOptions = {}): Uint8Array {
  return new Pickler(options).dump(value);
}
