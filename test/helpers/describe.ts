/**
 * The "described" JSON form of checkpoint values, the same as test/pytorch/checkpoint_io.py builds in Python, so a
 * test compares a tsorch value with PyTorch's in one deepEqual: Python types, dict key types and order, OrderedDict
 * attributes (`_metadata`), and per tensor dtype, shape, stride, offset, requires_grad, Parameter-ness, device, the
 * storage it views (numbered in order of first use: equal numbers mean shared memory), the storage's size, and the
 * exact bytes of its elements in row-major order (hex).
 */
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";
import { PyByteArray } from "../../src/python/bytes.ts";
import { PyComplex } from "../../src/python/complex.ts";
import { isOrderedDict, isPlainObject, pyAttributes } from "../../src/python/dict.ts";
import { PyFloat } from "../../src/python/float.ts";
import { PyGlobal } from "../../src/python/global.ts";
import { FrozenSet } from "../../src/python/set.ts";
import { Tuple } from "../../src/python/tuple.ts";

/** A described value: `{ int: 1 }`, `{ tensor: {...} }`, `{ odict: [[k, v], ...], attrs: [...] }`. */
export type Described = { [kind: string]: unknown };

/** What a described tensor holds. */
export interface DescribedTensor {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  requires_grad: boolean;
  parameter: boolean;
  device: string;
  storage: number | null;
  storage_nbytes: number | null;
  hex: string | null;
}

function describeFloat(x: number): number | string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0.0";
  return x;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** The bytes of a tensor's elements in row-major order, read from its storage by offset and strides. */
export function logicalBytes(t: torch.Tensor): Uint8Array {
  const bytes = t.storage.bytes!;
  const size = t.dtype.itemsize;
  const n = t.numel();
  const out = new Uint8Array(n * size);
  const dims = t.dims;
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let element = t.offset;
    for (let d = 0; d < dims.length; d++) element += index[d] * t.strides[d];
    out.set(bytes.subarray(element * size, element * size + size), i * size);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Describes values; one instance numbers storages across one whole value. */
export class Describer {
  private readonly storages = new Map<unknown, number>();

  private tensor(t: torch.Tensor): DescribedTensor {
    const d: DescribedTensor = {
      dtype: t.dtype.name,
      shape: [...t.dims],
      stride: [...t.strides],
      offset: t.offset,
      requires_grad: t.requiresGrad,
      parameter: t instanceof nn.Parameter,
      device: t.device.type,
      storage: null,
      storage_nbytes: null,
      hex: null,
    };
    if (t.isMeta) return d;
    // empty storages have no address in PyTorch: never shared
    const key = t.storage.nbytes === 0 ? {} : t.storage;
    if (!this.storages.has(key)) this.storages.set(key, this.storages.size);
    d.storage = this.storages.get(key)!;
    d.storage_nbytes = t.storage.nbytes;
    d.hex = hex(logicalBytes(t));
    return d;
  }

  private sortedItems(items: Iterable<unknown>): Described[] {
    const described = [...items].map((x) => this.describe(x));
    const key = (d: Described) => JSON.stringify(sortKeys(d));
    return described.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** The described form of `v`. */
  describe(v: unknown): Described {
    if (v === null) return { none: null };
    if (typeof v === "boolean") return { bool: v };
    if (typeof v === "bigint") return { int: v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : String(v) };
    if (typeof v === "number") {
      if (Number.isInteger(v) && !Object.is(v, -0)) return { int: Number.isSafeInteger(v) ? v : BigInt(v).toString() };
      return { float: describeFloat(v) };
    }
    if (v instanceof PyFloat) return { float: describeFloat(v.value) };
    if (v instanceof PyComplex) return { complex: [describeFloat(v.real), describeFloat(v.imag)] };
    if (typeof v === "string") return { str: v };
    if (v instanceof PyByteArray) return { bytearray: hex(v) };
    if (v instanceof Uint8Array) return { bytes: hex(v) };
    if (v instanceof torch.Tensor) return { tensor: this.tensor(v) };
    if (v instanceof torch.DType) return { dtype: v.name };
    if (v instanceof torch.Device) return { device: v.toString() };
    if (v instanceof torch.Size) return { size: [...v] };
    if (v instanceof Tuple) return { tuple: v.map((x) => this.describe(x)) };
    if (Array.isArray(v)) return { list: v.map((x) => this.describe(x)) };
    if (v instanceof FrozenSet) return { frozenset: this.sortedItems(v) };
    if (v instanceof Set) return { set: this.sortedItems(v) };
    if (v instanceof PyGlobal) return { global: v.qualifiedName };
    if (v instanceof Map || isPlainObject(v)) {
      const entries = v instanceof Map ? [...v] : Object.entries(v);
      const out: Described = { [isOrderedDict(v) ? "odict" : "dict"]: entries.map(([k, x]) => [this.describe(k), this.describe(x)]) };
      const attrs = isOrderedDict(v) ? pyAttributes(v) : [];
      if (attrs.length > 0) out.attrs = attrs.map(([k, x]) => [k, this.describe(x)]);
      return out;
    }
    throw new TypeError(`cannot describe ${String(v)} (${(v as object)?.constructor?.name})`);
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The described form of a whole value (storages numbered from 0). */
export function describe(value: unknown): Described {
  return new Describer().describe(value);
}
