/**
 * A safe unpickler for protocols 0-5: it reads the opcodes that PyTorch files (and CPython) emit,
 * builds the Python value model of `src/python`, and turns globals into behaviour only through
 * handler tables (globals.ts). Nothing in a pickle can import, evaluate or call anything else.
 *
 * Robustness: every length is checked against the remaining input before anything is allocated,
 * the stack and memo hold at most one entry per input byte, MARK nesting and container nesting
 * are bounded (`maxDepth`), and no code here recurses over the data, so cyclic or deep pickles
 * cannot overflow the JS stack. Malformed input raises `UnpicklingError`; errors thrown by
 * caller-supplied handlers and `persistentLoad` propagate unchanged.
 *
 * Reference: CPython `Lib/pickle.py` (`_Unpickler`), `Lib/pickletools.py`;
 * PyTorch `torch/_weights_only_unpickler.py` for the allowlist rules and messages.
 */
import type { ByteSource } from "../../io/types.ts";
import { PyByteArray } from "../../python/bytes.ts";
import { type PyDict, isDict, isOrderedDict, setPyAttribute } from "../../python/dict.ts";
import { PyFloat } from "../../python/float.ts";
import { PyGlobal } from "../../python/global.ts";
import { PyObject } from "../../python/object.ts";
import { pyRepr } from "../../python/repr.ts";
import { FrozenSet } from "../../python/set.ts";
import { Tuple } from "../../python/tuple.ts";
import { pyTypeName } from "../../python/types.ts";
import { DictBuilder, setDictItem } from "./dict-builder.ts";
import { UnpicklingError } from "./errors.ts";
import {
  type GlobalHandler,
  type GlobalResolver,
  type GlobalTable,
  PY2_MODULES,
  builtinGlobals,
  combineGlobals,
  isBlockedModule,
} from "./globals.ts";
import { PickleInput } from "./input.ts";
import { decodeLong } from "./long.ts";
import { HIGHEST_PROTOCOL, Op, opcodeName } from "./opcodes.ts";
import { escapeDecode, latin1, parseFloatText, parseIntText, parseMemoIndex, rawUnicodeEscapeDecode } from "./text.ts";
import { decodeUtf8 } from "./utf8.ts";

/** How to decode Python 2 `str` (STRING, BINSTRING, SHORT_BINSTRING); torch.load uses utf-8. */
export type Py2StringEncoding = "utf-8" | "ascii" | "latin1" | "bytes";

/** Options of `unpickle` and `Unpickler`. */
export interface UnpickleOptions {
  /** Allowed globals (a `module.name` table or a resolver), consulted after the built-in ones. */
  globals?: GlobalTable;
  /** Whether `builtinGlobals` (OrderedDict, set, bytes...) are allowed and take precedence; default true. Turn off to replace them. */
  builtinGlobals?: boolean;
  /** Turns a persistent id (BINPERSID/PERSID) into a value; without it persistent ids are errors. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Decoding of Python 2 strings; default "utf-8" (as torch.load). */
  encoding?: Py2StringEncoding;
  /** Maximum MARK and container nesting; default 1000. */
  maxDepth?: number;
  /** Text appended to "Unsupported global" errors (e.g. how to allow a global in this library). */
  unsupportedGlobalHint?: string;
}

/** Largest LONG4 accepted, in bytes (about 2.5 million decimal digits). */
export const MAX_LONG_BYTES = 1 << 20;

const DEFAULT_MAX_DEPTH = 1000;

/** Reads one or more consecutive pickles from bytes or a ByteSource. */
export class Unpickler {
  private readonly input: PickleInput;
  private readonly resolver: GlobalResolver;
  private readonly options: UnpickleOptions;
  private readonly maxDepth: number;
  private stack: unknown[] = [];
  private marks: number[] = [];
  private memo = new Map<number, unknown>();
  private proto = 0;
  private opcodeOffset = 0;
  /** Handlers of values that GLOBAL pushed (PyGlobals or handler-supplied values). */
  private pushedGlobals = new Map<unknown, { handler: GlobalHandler; global: PyGlobal }>();
  /** Which handler made each object (only handlers with setState), so BUILD can find it. */
  private createdBy = new Map<object, GlobalHandler>();
  /** Nesting depth of containers that hold containers (a per-load Map: cheaper than a WeakMap for the GC). */
  private depth = new Map<object, number>();

  /**
   * @param input the pickle bytes, or a source to read from (through a 64 KiB window)
   * @param options allowlist, persistentLoad, limits
   * @param position where the first pickle starts (default 0)
   */
  constructor(input: Uint8Array | ByteSource, options: UnpickleOptions = {}, position = 0) {
    this.input = new PickleInput(input, position);
    this.options = options;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    const tables: GlobalTable[] = [];
    if (options.builtinGlobals !== false) tables.push(builtinGlobals);
    if (options.globals) tables.push(options.globals);
    this.resolver = combineGlobals(...tables);
  }

  /** Offset of the next unread byte (after `load()`: just past the STOP of the pickle it read). */
  get position(): number {
    return this.input.position;
  }

  /** True when bytes remain after the last pickle read. */
  hasMore(): boolean {
    return this.input.hasMore();
  }

  /** Reads one pickle and returns its value. The memo starts empty for each pickle. */
  load(): unknown {
    if (!this.input.hasMore()) throw new UnpicklingError("EOF", "Ran out of input", this.input.position);
    this.stack = [];
    this.marks = [];
    this.memo = new Map();
    this.proto = 0;
    this.pushedGlobals = new Map();
    this.createdBy = new Map();
    this.depth = new Map();
    try {
      return this.run();
    } catch (error) {
      if (error instanceof UnpicklingError && error.offset === undefined) {
        throw new UnpicklingError(error.code, error.message, this.opcodeOffset, { cause: error.cause });
      }
      throw error;
    } finally {
      this.stack = [];
      this.marks = [];
      this.memo = new Map();
      this.pushedGlobals = new Map();
      this.createdBy = new Map();
      this.depth = new Map();
    }
  }

  private run(): unknown {
    const input = this.input;
    for (;;) {
      this.opcodeOffset = input.position;
      const code = input.u8();
      switch (code) {
        case Op.PROTO: {
          const proto = input.u8();
          if (proto > HIGHEST_PROTOCOL) {
            throw new UnpicklingError("UNSUPPORTED_PROTOCOL", `unsupported pickle protocol: ${proto}`);
          }
          this.proto = proto;
          break;
        }
        case Op.FRAME:
          if (input.u64() > input.remaining) throw new UnpicklingError("TRUNCATED", "pickle data was truncated");
          break;
        case Op.STOP:
          return this.resolve(this.pop());

        // Scalars
        case Op.NONE:
          this.push(null);
          break;
        case Op.NEWTRUE:
          this.push(true);
          break;
        case Op.NEWFALSE:
          this.push(false);
          break;
        case Op.INT: {
          const text = this.asciiLine("INT");
          this.push(text === "00" ? false : text === "01" ? true : parseIntText(text));
          break;
        }
        case Op.LONG:
          this.push(parseIntText(this.asciiLine("LONG").replace(/L$/, "")));
          break;
        case Op.BININT:
          this.push(input.i32());
          break;
        case Op.BININT1:
          this.push(input.u8());
          break;
        case Op.BININT2:
          this.push(input.u16());
          break;
        case Op.LONG1:
          this.push(decodeLong(input.bytes(input.u8())));
          break;
        case Op.LONG4: {
          const n = input.i32();
          if (n < 0) throw new UnpicklingError("BAD_VALUE", "LONG pickle has negative byte count");
          if (n > MAX_LONG_BYTES) throw new UnpicklingError("TOO_LARGE", `LONG4 of ${n} bytes exceeds the limit of ${MAX_LONG_BYTES}`);
          this.push(decodeLong(input.bytes(n)));
          break;
        }
        case Op.FLOAT:
          this.push(pythonFloat(parseFloatText(this.asciiLine("FLOAT"))));
          break;
        case Op.BINFLOAT:
          this.push(pythonFloat(input.f64be()));
          break;

        // Strings and bytes
        case Op.STRING:
          this.push(this.py2String(this.quotedString()));
          break;
        case Op.BINSTRING: {
          const n = input.i32();
          if (n < 0) throw new UnpicklingError("BAD_VALUE", "BINSTRING pickle has negative byte count");
          this.push(this.py2String(input.bytes(n)));
          break;
        }
        case Op.SHORT_BINSTRING:
          this.push(this.py2String(input.bytes(input.u8())));
          break;
        case Op.UNICODE:
          this.push(rawUnicodeEscapeDecode(input.line()));
          break;
        case Op.SHORT_BINUNICODE:
          this.push(this.string(input.u8()));
          break;
        case Op.BINUNICODE:
          this.push(this.string(input.u32()));
          break;
        case Op.BINUNICODE8:
          this.push(this.utf8(input.bytes(input.u64())));
          break;
        case Op.SHORT_BINBYTES:
          this.push(input.bytes(input.u8()).slice());
          break;
        case Op.BINBYTES:
          this.push(input.bytes(input.u32()).slice());
          break;
        case Op.BINBYTES8:
          this.push(input.bytes(input.u64()).slice());
          break;
        case Op.BYTEARRAY8: {
          const bytes = input.bytes(input.u64());
          const array = new PyByteArray(bytes.length);
          array.set(bytes);
          this.push(array);
          break;
        }
        case Op.NEXT_BUFFER:
        case Op.READONLY_BUFFER:
          throw new UnpicklingError("UNSUPPORTED_OPCODE", `${opcodeName(code)}: out-of-band buffers are not supported`);

        // Containers
        case Op.EMPTY_LIST:
          this.push([]);
          break;
        case Op.EMPTY_TUPLE:
          this.push(new Tuple());
          break;
        case Op.EMPTY_DICT:
          this.push(new DictBuilder(false));
          break;
        case Op.EMPTY_SET:
          this.push(new Set());
          break;
        case Op.LIST: {
          const list: unknown[] = [];
          this.appendAll(list, this.popMark());
          this.push(list);
          break;
        }
        case Op.TUPLE:
          this.push(this.makeTuple(this.popMark()));
          break;
        case Op.TUPLE1:
        case Op.TUPLE2:
        case Op.TUPLE3: {
          const n = code - Op.TUPLE1 + 1;
          const items: unknown[] = new Array(n);
          for (let i = n - 1; i >= 0; i--) items[i] = this.pop();
          this.push(this.makeTuple(items));
          break;
        }
        case Op.DICT: {
          const dict = new DictBuilder(false);
          this.setItems(dict, this.popMark(), "DICT");
          this.push(dict);
          break;
        }
        case Op.FROZENSET: {
          const set = new FrozenSet();
          this.addAll(set, this.popMark());
          this.push(set);
          break;
        }
        case Op.APPEND: {
          const item = this.pop();
          this.appendAll(this.appendTarget(), [item]);
          break;
        }
        case Op.APPENDS: {
          const items = this.popMark();
          this.appendAll(this.appendTarget(), items);
          break;
        }
        case Op.SETITEM: {
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.setItemTarget("SETITEM"), [key, value], "SETITEM");
          break;
        }
        case Op.SETITEMS: {
          const items = this.popMark();
          this.setItems(this.setItemTarget("SETITEMS"), items, "SETITEMS");
          break;
        }
        case Op.ADDITEMS: {
          const items = this.popMark();
          const target = this.top();
          if (!(target instanceof Set) || target instanceof FrozenSet) {
            throw new UnpicklingError("NOT_ALLOWED", `Can only ADDITEMS to a set, but got ${pyTypeName(target)}`);
          }
          this.addAll(mutable(target, "ADDITEMS"), items);
          break;
        }

        // Stack and memo
        case Op.MARK:
          if (this.marks.length >= this.maxDepth) {
            throw new UnpicklingError("TOO_DEEP", `pickle nests MARKs deeper than ${this.maxDepth} levels`);
          }
          this.marks.push(this.stack.length);
          break;
        case Op.POP:
          if (this.stack.length > this.fence()) this.stack.pop();
          else this.popMark();
          break;
        case Op.POP_MARK:
          this.popMark();
          break;
        case Op.DUP:
          this.push(this.top());
          break;
        case Op.GET:
          this.push(this.memoGet(parseMemoIndex(this.asciiLine("GET"), "GET")));
          break;
        case Op.BINGET:
          this.push(this.memoGet(input.u8()));
          break;
        case Op.LONG_BINGET:
          this.push(this.memoGet(input.u32()));
          break;
        case Op.PUT:
          this.memo.set(parseMemoIndex(this.asciiLine("PUT"), "PUT"), this.top());
          break;
        case Op.BINPUT:
          this.memo.set(input.u8(), this.top());
          break;
        case Op.LONG_BINPUT:
          this.memo.set(input.u32(), this.top());
          break;
        case Op.MEMOIZE:
          this.memo.set(this.memo.size, this.top());
          break;

        // Globals and objects
        case Op.GLOBAL: {
          const module = this.textLine("GLOBAL");
          const name = this.textLine("GLOBAL");
          this.push(this.findGlobal(module, name, "GLOBAL"));
          break;
        }
        case Op.STACK_GLOBAL: {
          const name = this.resolve(this.pop());
          const module = this.resolve(this.pop());
          if (typeof module !== "string" || typeof name !== "string") {
            throw new UnpicklingError("BAD_VALUE", `STACK_GLOBAL requires str, got ${pyTypeName(module)} and ${pyTypeName(name)}`);
          }
          this.push(this.findGlobal(module, name, "STACK_GLOBAL"));
          break;
        }
        case Op.REDUCE: {
          const args = this.pop();
          const callable = this.top();
          this.stack[this.stack.length - 1] = this.call(callable, this.expectTuple(args, "REDUCE"), "REDUCE");
          break;
        }
        case Op.BUILD: {
          const state = this.resolve(this.pop());
          this.build(this.top(), state);
          break;
        }
        case Op.INST: {
          const module = this.textLine("INST");
          const name = this.textLine("INST");
          const cls = this.findGlobal(module, name, "INST");
          this.push(this.call(cls, this.makeTuple(this.popMark()), "INST"));
          break;
        }
        case Op.OBJ: {
          const items = this.popMark();
          if (items.length === 0) throw new UnpicklingError("STACK_UNDERFLOW", "OBJ needs a class after MARK");
          this.push(this.call(items[0], this.makeTuple(items.slice(1)), "OBJ"));
          break;
        }
        case Op.NEWOBJ: {
          const args = this.expectTuple(this.pop(), "NEWOBJ");
          const cls = this.pop();
          this.push(this.construct(cls, args, undefined, "NEWOBJ"));
          break;
        }
        case Op.NEWOBJ_EX: {
          const kwargs = this.resolve(this.pop());
          const args = this.expectTuple(this.pop(), "NEWOBJ_EX");
          const cls = this.pop();
          if (!isDict(kwargs)) throw new UnpicklingError("BAD_VALUE", `NEWOBJ_EX kwargs must be a dict, got ${pyTypeName(kwargs)}`);
          this.push(this.construct(cls, args, kwargs, "NEWOBJ_EX"));
          break;
        }
        case Op.EXT1:
        case Op.EXT2:
        case Op.EXT4:
          throw new UnpicklingError("UNSUPPORTED_OPCODE", `${opcodeName(code)}: the copyreg extension registry is not supported`);
        case Op.PERSID:
          this.push(this.persistentLoad(this.asciiLine("PERSID")));
          break;
        case Op.BINPERSID:
          this.push(this.persistentLoad(this.resolve(this.pop())));
          break;
        default:
          throw new UnpicklingError(
            "UNKNOWN_OPCODE",
            `invalid load key, 0x${code.toString(16).padStart(2, "0")}: not a pickle opcode (at offset ${this.opcodeOffset})`,
          );
      }
    }
  }

  // --- stack ---------------------------------------------------------------------------------

  private fence(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }

  private pop(): unknown {
    if (this.stack.length <= this.fence()) throw new UnpicklingError("STACK_UNDERFLOW", "unpickling stack underflow");
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length <= this.fence()) throw new UnpicklingError("STACK_UNDERFLOW", "unpickling stack underflow");
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw new UnpicklingError("MARK_MISSING", "could not find MARK");
    return this.stack.splice(mark);
  }

  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) throw new UnpicklingError("MEMO_MISSING", `Memo value not found at index ${index}`);
    return this.memo.get(index);
  }

  /** A dict under construction becomes its JS dict when used as a value. */
  private resolve(value: unknown): unknown {
    if (!(value instanceof DictBuilder)) return value;
    const dict = value.finish();
    const depth = this.depth.get(value);
    if (depth !== undefined) this.depth.set(dict, depth);
    return dict;
  }

  // --- containers ----------------------------------------------------------------------------

  /** Records that `container` holds `item`, enforcing maxDepth. */
  private nest(container: object, item: unknown): void {
    if (typeof item !== "object" || item === null || item === container) return;
    const depth = (this.depth.get(item) ?? 0) + 1;
    if (depth <= (this.depth.get(container) ?? 0)) return;
    if (depth > this.maxDepth) throw new UnpicklingError("TOO_DEEP", `pickle nests containers deeper than ${this.maxDepth} levels`);
    this.depth.set(container, depth);
  }

  private makeTuple(items: unknown[]): Tuple<unknown> {
    const n = items.length;
    const result = new Tuple<unknown>(n);
    for (let i = 0; i < n; i++) {
      const value = this.resolve(items[i]);
      if (typeof value === "object" && value !== null) this.nest(result, value);
      result[i] = value;
    }
    return result;
  }

  private appendTarget(): unknown[] {
    const target = this.top();
    if (!Array.isArray(target) || target instanceof Tuple) {
      throw new UnpicklingError("NOT_ALLOWED", `Can only append to lists, but got ${pyTypeName(target)}`);
    }
    return mutable(target, "APPEND");
  }

  private appendAll(list: unknown[], items: unknown[]): void {
    for (const item of items) {
      const value = this.resolve(item);
      this.nest(list, value);
      list.push(value);
    }
  }

  private addAll(set: Set<unknown>, items: unknown[]): void {
    for (const item of items) {
      const value = this.resolve(item);
      this.nest(set, value);
      set.add(value);
    }
  }

  private setItemTarget(opcode: string): DictBuilder | PyDict {
    const target = this.top();
    if (target instanceof DictBuilder) return target;
    if (isDict(target)) return mutable(target, opcode);
    throw new UnpicklingError("NOT_ALLOWED", `Can only ${opcode} for dict, collections.OrderedDict, but got ${pyTypeName(target)}`);
  }

  private setItems(dict: DictBuilder | PyDict, items: unknown[], opcode: string): void {
    if (items.length % 2 !== 0) throw new UnpicklingError("BAD_VALUE", `odd number of items for ${opcode}`);
    for (let i = 0; i < items.length; i += 2) {
      const key = this.resolve(items[i]);
      const value = this.resolve(items[i + 1]);
      this.nest(dict, key);
      this.nest(dict, value);
      if (dict instanceof DictBuilder) dict.set(key, value);
      else setDictItem(dict, key, value);
    }
  }

  private expectTuple(value: unknown, opcode: string): Tuple<unknown> {
    if (value instanceof Tuple) return value;
    throw new UnpicklingError("BAD_VALUE", `${opcode} arguments must be a tuple, got ${pyTypeName(this.resolve(value))}`);
  }

  // --- globals -------------------------------------------------------------------------------

  private findGlobal(module: string, name: string, opcode: string): unknown {
    if (this.proto < 3 && Object.hasOwn(PY2_MODULES, module)) module = PY2_MODULES[module];
    const qualified = `${module}.${name}`;
    if (isBlockedModule(module)) {
      const blocked = module.split(".")[0];
      throw new UnpicklingError("BLOCKED_GLOBAL", `Trying to load unsupported ${opcode} ${qualified} whose module ${blocked} is blocked.`);
    }
    const handler = this.resolver(module, name);
    if (!handler) {
      const hint = this.options.unsupportedGlobalHint ? ` ${this.options.unsupportedGlobalHint}` : "";
      throw new UnpicklingError(
        "UNSUPPORTED_GLOBAL",
        `Unsupported global: ${opcode} ${qualified} was not an allowed global by default.${hint}`,
      );
    }
    const global = new PyGlobal(module, name);
    const value = handler.value !== undefined ? handler.value : global;
    this.pushedGlobals.set(value, { handler, global });
    return value;
  }

  private describeCallable(callable: unknown): string {
    const entry = this.pushedGlobals.get(callable);
    if (entry) return entry.global.qualifiedName;
    if (callable instanceof PyGlobal) return callable.qualifiedName;
    return `${pyTypeName(callable)} ${truncatedRepr(callable)}`;
  }

  private call(callable: unknown, args: Tuple<unknown>, opcode: string): unknown {
    const entry = this.pushedGlobals.get(callable);
    if (!entry?.handler.call) {
      throw new UnpicklingError("NOT_ALLOWED", `Trying to call ${opcode} for unrecognized function ${this.describeCallable(callable)}`);
    }
    return this.remember(entry.handler.call(args, entry.global), entry.handler);
  }

  private construct(cls: unknown, args: Tuple<unknown>, kwargs: PyDict | undefined, opcode: string): unknown {
    const entry = this.pushedGlobals.get(cls);
    if (!entry?.handler.construct) {
      throw new UnpicklingError(
        "NOT_ALLOWED",
        `${opcode}: can only create new objects of allowlisted classes, but got ${this.describeCallable(cls)}`,
      );
    }
    return this.remember(entry.handler.construct(args, kwargs, entry.global), entry.handler);
  }

  private remember(result: unknown, handler: GlobalHandler): unknown {
    if (handler.setState && ((typeof result === "object" && result !== null) || typeof result === "function")) {
      this.createdBy.set(result, handler);
    }
    return result;
  }

  private build(target: unknown, state: unknown): void {
    const handler = typeof target === "object" && target !== null ? this.createdBy.get(target) : undefined;
    if (handler?.setState) {
      handler.setState(target, state);
      return;
    }
    if (target instanceof DictBuilder || isDict(target)) {
      const ordered = target instanceof DictBuilder ? target.ordered : isOrderedDict(target);
      if (!ordered) throw new UnpicklingError("NOT_ALLOWED", "BUILD on a plain dict: only collections.OrderedDict takes attributes");
      if (!(target instanceof DictBuilder)) mutable(target, "BUILD");
      for (const [name, value] of attributeItems(state)) {
        if (target instanceof DictBuilder) target.setAttribute(name, value);
        else setPyAttribute(target, name, value);
      }
      return;
    }
    if (target instanceof PyObject) {
      mutable(target, "BUILD").state = state;
      return;
    }
    throw new UnpicklingError(
      "NOT_ALLOWED",
      `Can only build Tensor, Parameter, OrderedDict or types allowlisted via the globals table, but got ${pyTypeName(target)}`,
    );
  }

  private persistentLoad(pid: unknown): unknown {
    const load = this.options.persistentLoad;
    if (!load) {
      throw new UnpicklingError(
        "PERSISTENT_ID",
        "A load persistent id instruction was encountered, but no persistent_load function was specified.",
      );
    }
    return load(pid);
  }

  // --- text ----------------------------------------------------------------------------------

  private asciiLine(opcode: string): string {
    const line = this.input.line();
    for (const byte of line) {
      if (byte >= 0x80) throw new UnpicklingError("BAD_VALUE", `${opcode} argument is not ASCII`);
    }
    return latin1(line);
  }

  private textLine(opcode: string): string {
    const text = decodeUtf8(this.input.line());
    if (text === undefined) throw new UnpicklingError("BAD_VALUE", `${opcode} argument is not valid UTF-8`);
    return text;
  }

  /** A UTF-8 string of `length` bytes from the input (short ASCII ones decoded in place). */
  private string(length: number): string {
    return this.input.asciiString(length) ?? this.utf8(this.input.bytes(length));
  }

  private utf8(bytes: Uint8Array): string {
    const text = decodeUtf8(bytes);
    if (text === undefined) throw new UnpicklingError("BAD_VALUE", "'utf-8' codec can't decode the string: invalid UTF-8");
    return text;
  }

  private quotedString(): Uint8Array {
    const line = this.input.line();
    const first = line[0];
    if (line.length < 2 || first !== line[line.length - 1] || (first !== 0x27 && first !== 0x22)) {
      throw new UnpicklingError("BAD_VALUE", "the STRING opcode argument must be quoted");
    }
    return escapeDecode(line.subarray(1, line.length - 1));
  }

  private py2String(bytes: Uint8Array): string | Uint8Array {
    const encoding = this.options.encoding ?? "utf-8";
    if (encoding === "bytes") return bytes.slice();
    if (encoding === "latin1") return latin1(bytes);
    if (encoding === "ascii") {
      for (const byte of bytes) {
        if (byte >= 0x80) throw new UnpicklingError("BAD_VALUE", "'ascii' codec can't decode a Python 2 string: byte >= 0x80");
      }
      return latin1(bytes);
    }
    return this.utf8(bytes);
  }
}

/** Returns `target` unless it is frozen or sealed (a handler's result), which mutation opcodes must not touch. */
function mutable<T extends object>(target: T, opcode: string): T {
  if (Object.isFrozen(target) || Object.isSealed(target) || !Object.isExtensible(target)) {
    throw new UnpicklingError("NOT_ALLOWED", `${opcode} on a ${pyTypeName(target)} that cannot be modified`);
  }
  return target;
}

/** A Python float as the value model holds it: PyFloat when integral (or -0), else the number. */
function pythonFloat(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

/** The attributes that BUILD sets: a dict, or a `(dict, slots_dict)` pair, or None. */
function attributeItems(state: unknown): Array<[string, unknown]> {
  const parts = state instanceof Tuple && state.length === 2 ? [state[0], state[1]] : [state];
  const items: Array<[string, unknown]> = [];
  for (const part of parts) {
    if (part === null) continue;
    if (!isDict(part)) throw new UnpicklingError("BAD_VALUE", `BUILD state must be a dict, got ${pyTypeName(part)}`);
    const entries: Array<[unknown, unknown]> = part instanceof Map ? [...part] : Object.entries(part);
    for (const [name, value] of entries) {
      if (typeof name !== "string") throw new UnpicklingError("BAD_VALUE", `attribute name must be a str, got ${pyTypeName(name)}`);
      items.push([name, value]);
    }
  }
  return items;
}

function truncatedRepr(value: unknown): string {
  try {
    const text = pyRepr(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return "<unprintable>";
  }
}

/**
 * Loads one pickle from `data` (bytes after its STOP are ignored, as in Python).
 *
 * ```ts
 * const sd = unpickle(bytes, { persistentLoad: (pid) => storages.get(pid), globals: torchGlobals });
 * ```
 */
export function unpickle(data: Uint8Array | ByteSource, options: UnpickleOptions = {}): unknown {
  return new Unpickler(data, options).load();
}
