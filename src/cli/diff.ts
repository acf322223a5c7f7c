/**
 * `tsorch diff A B`: tensors only in A or only in B (matched by dotted key), shape and dtype differences, the
 * largest absolute difference of every common tensor (read one pair at a time, so memory stays at two tensors),
 * and non-tensor values that differ (epoch, hyperparameters, container types). Exit code 0 when the same,
 * 1 when different, 2 on errors.
 */
import { type Checkpoint, openCheckpoint, selectKey, type TensorInfo } from "./checkpoint.ts";
import { compareFlat, compareValues, type FlatDiff, finishFlat, mergeFlat, type ValueDiff } from "./compare-values.ts";
import { describeError, EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK } from "./errors.ts";
import { formatCount, formatNumber, formatShape, pad, truncate } from "./text.ts";
import { displayKey, keyOf, nodeRepr, type PathPart, type StructureNode } from "./tree.ts";

/** The `--json` schema identifier of diff. */
export const DIFF_SCHEMA = "tsorch.diff/1";

/** A tensor named in a diff: key, dtype and shape. */
export interface TensorBrief {
  key: string;
  dtype: string;
  shape: number[];
}

/** A common tensor's comparison. */
export interface TensorComparison {
  key: string;
  dtype: string;
  shape: number[];
  /** B's dtype when it differs from A's. */
  dtypeB?: string;
  /** max |a - b| (null when the values could not be compared). */
  maxAbsDiff: number | null;
  /** Index of (the first) largest difference, or null. */
  at: number[] | null;
  /** Elements that differ by more than atol. */
  differing: number;
  elements: number;
  /** True when the values are within atol and the dtypes are the same. */
  equal: boolean;
  /** Why the values were not compared. */
  error?: string;
}

/** A non-tensor difference: a value that changed, is only on one side, or a container type that changed. */
export interface ValueDifference {
  key: string;
  change: "changed" | "onlyInA" | "onlyInB" | "type";
  a: string | null;
  b: string | null;
}

/** The diff report (the `--json` output). */
export interface DiffReport {
  schema: typeof DIFF_SCHEMA;
  a: { path: string; format: string; key: string | null };
  b: { path: string; format: string; key: string | null };
  atol: number;
  identical: boolean;
  onlyInA: TensorBrief[];
  onlyInB: TensorBrief[];
  shapeOrDtype: { key: string; a: TensorBrief; b: TensorBrief }[];
  tensors: TensorComparison[];
  values: ValueDifference[];
  totals: { common: number; equal: number; different: number; notCompared: number; onlyInA: number; onlyInB: number; shapeOrDtype: number; values: number };
}

/** Options of diff. */
export interface DiffOptions {
  json?: boolean;
  /** Compare only the part of A under this key (e.g. model_state_dict). */
  keyA?: string;
  /** Compare only the part of B under this key. */
  keyB?: string;
  atol?: number;
  all?: boolean;
}

const brief = (t: TensorInfo): TensorBrief => ({ key: t.key, dtype: t.dtype, shape: t.shape });

function byKey(tensors: readonly TensorInfo[]): Map<string, TensorInfo> {
  const map = new Map<string, TensorInfo>();
  for (const t of tensors) if (!map.has(t.key)) map.set(t.key, t);
  return map;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Elements per chunk when comparing contiguous tensors straight from the files. */
const CHUNK_ELEMENTS = 1 << 22;

/** Compares two contiguous tensors chunk by chunk (memory: one chunk of each), or returns null when either cannot be read so. */
function compareChunked(a: Checkpoint, ta: TensorInfo, b: Checkpoint, tb: TensorInfo, atol: number): ValueDiff | null {
  const total: FlatDiff = { maxAbsDiff: 0, at: -1, differing: 0 };
  for (let start = 0; start < ta.elements || start === 0; start += CHUNK_ELEMENTS) {
    const count = Math.min(CHUNK_ELEMENTS, ta.elements - start);
    const x = a.readChunk(ta.index, start, count);
    const y = x && b.readChunk(tb.index, start, count);
    if (!x || !y) return null;
    mergeFlat(total, compareFlat(x, y, atol), start);
    if (ta.elements === 0) break;
  }
  return finishFlat(total, ta.shape, ta.elements);
}

/** Compares the values of one pair of tensors (read now, released after). */
function compareTensor(a: Checkpoint, ta: TensorInfo, b: Checkpoint, tb: TensorInfo, atol: number): TensorComparison {
  const result: TensorComparison = { key: ta.key, dtype: ta.dtype, shape: ta.shape, maxAbsDiff: null, at: null, differing: 0, elements: ta.elements, equal: false };
  if (ta.dtype !== tb.dtype) result.dtypeB = tb.dtype;
  try {
    const d = compareChunked(a, ta, b, tb, atol) ?? compareValues(a.readTensor(ta.index), b.readTensor(tb.index), atol);
    result.maxAbsDiff = d.maxAbsDiff;
    result.at = d.at;
    result.differing = d.differing;
    result.equal = d.differing === 0 && ta.dtype === tb.dtype;
  } catch (error) {
    result.error = describeError(error).message;
  }
  return result;
}

function describeNode(node: StructureNode, ckpt: Checkpoint): string {
  if (node.kind === "tensor") {
    const t = ckpt.tensors[node.index];
    return `tensor ${t.dtype} ${formatShape(t.shape)}`;
  }
  if (node.kind === "value") return node.repr;
  return node.tensors > 0 ? `${node.type} of ${node.items.length} items with ${node.tensors} tensor${node.tensors === 1 ? "" : "s"}` : nodeRepr(node);
}

/** Walks both structure trees side by side, collecting non-tensor differences. */
function compareStructure(a: Checkpoint, b: Checkpoint): ValueDifference[] {
  const out: ValueDifference[] = [];
  const compareTypes = a.kind !== "safetensors" && b.kind !== "safetensors";
  const onlyOn = (side: "onlyInA" | "onlyInB", node: StructureNode, path: PathPart[]) => {
    if (node.kind === "tensor") return; // listed with the tensors
    const text = describeNode(node, side === "onlyInA" ? a : b);
    out.push({ key: keyOf(path), change: side, a: side === "onlyInA" ? text : null, b: side === "onlyInB" ? text : null });
  };
  const visit = (x: StructureNode, y: StructureNode, path: PathPart[]): void => {
    const key = keyOf(path);
    if (x.kind === "tensor" && y.kind === "tensor") return;
    if (x.kind === "value" && y.kind === "value") {
      if (x.repr !== y.repr) out.push({ key, change: "changed", a: x.repr, b: y.repr });
      return;
    }
    if (x.kind !== y.kind) {
      out.push({ key, change: "type", a: describeNode(x, a), b: describeNode(y, b) });
      return;
    }
    if (x.kind === "dict" && y.kind === "dict") {
      if (compareTypes && x.type !== y.type) out.push({ key, change: "type", a: x.type, b: y.type });
      const ys = new Map(y.items.map((i) => [`${typeof i.key}:${i.key}`, i]));
      const seen = new Set<string>();
      for (const item of x.items) {
        const id = `${typeof item.key}:${item.key}`;
        seen.add(id);
        const other = ys.get(id);
        if (other) visit(item.value, other.value, [...path, item.key]);
        else onlyOn("onlyInA", item.value, [...path, item.key]);
      }
      for (const item of y.items) if (!seen.has(`${typeof item.key}:${item.key}`)) onlyOn("onlyInB", item.value, [...path, item.key]);
      return;
    }
    if (x.kind === "list" && y.kind === "list") {
      if (compareTypes && x.type !== y.type) out.push({ key, change: "type", a: x.type, b: y.type });
      const n = Math.min(x.items.length, y.items.length);
      for (let i = 0; i < n; i++) visit(x.items[i], y.items[i], [...path, i]);
      for (let i = n; i < x.items.length; i++) onlyOn("onlyInA", x.items[i], [...path, i]);
      for (let i = n; i < y.items.length; i++) onlyOn("onlyInB", y.items[i], [...path, i]);
    }
  };
  // A safetensors file is a flat dict of tensors: against a torch.save file only the tensors (matched by dotted key) compare.
  if (compareTypes) visit(a.structure, b.structure, []);
  if (a.format.kind === "safetensors" && b.format.kind === "safetensors") {
    const ma = a.format.metadata ?? {};
    const mb = b.format.metadata ?? {};
    for (const [k, v] of Object.entries(ma)) {
      const key = `__metadata__.${k}`;
      if (!Object.hasOwn(mb, k)) out.push({ key, change: "onlyInA", a: JSON.stringify(v), b: null });
      else if (mb[k] !== v) out.push({ key, change: "changed", a: JSON.stringify(v), b: JSON.stringify(mb[k]) });
    }
    for (const [k, v] of Object.entries(mb)) if (!Object.hasOwn(ma, k)) out.push({ key: `__metadata__.${k}`, change: "onlyInB", a: null, b: JSON.stringify(v) });
  }
  return out;
}

/** Compares two opened files. */
export function diffCheckpoints(a: Checkpoint, b: Checkpoint, options: DiffOptions = {}): DiffReport {
  const atol = options.atol ?? 0;
  const ka = byKey(a.tensors);
  const kb = byKey(b.tensors);
  const onlyInA = [...ka.values()].filter((t) => !kb.has(t.key)).map(brief);
  const onlyInB = [...kb.values()].filter((t) => !ka.has(t.key)).map(brief);
  const shapeOrDtype: DiffReport["shapeOrDtype"] = [];
  const tensors: TensorComparison[] = [];
  for (const ta of ka.values()) {
    const tb = kb.get(ta.key);
    if (!tb) continue;
    if (!sameShape(ta.shape, tb.shape) || ta.dtype !== tb.dtype) shapeOrDtype.push({ key: ta.key, a: brief(ta), b: brief(tb) });
    if (sameShape(ta.shape, tb.shape)) tensors.push(compareTensor(a, ta, b, tb, atol));
  }
  const values = compareStructure(a, b);
  const notCompared = tensors.filter((t) => t.error !== undefined).length;
  const equal = tensors.filter((t) => t.equal).length;
  const identical = onlyInA.length === 0 && onlyInB.length === 0 && shapeOrDtype.length === 0 && values.length === 0 && equal === tensors.length;
  return {
    schema: DIFF_SCHEMA,
    a: { path: a.path, format: a.kind, key: a.selectedKey ?? null },
    b: { path: b.path, format: b.kind, key: b.selectedKey ?? null },
    atol,
    identical,
    onlyInA,
    onlyInB,
    shapeOrDtype,
    tensors,
    values,
    totals: {
      common: [...ka.keys()].filter((k) => kb.has(k)).length,
      equal,
      different: tensors.length - equal - notCompared,
      notCompared,
      onlyInA: onlyInA.length,
      onlyInB: onlyInB.length,
      shapeOrDtype: shapeOrDtype.length,
      values: values.length,
    },
  };
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

function section(out: string[], title: string, rows: string[][]): void {
  if (rows.length === 0) return;
  out.push("", title);
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  for (const row of rows) out.push(`  ${row.map((c, i) => (i < row.length - 1 ? pad(c, widths[i]) : c)).join("  ")}`.trimEnd());
}

function comparisonText(t: TensorComparison): string {
  if (t.error !== undefined) return `not compared: ${t.error}`;
  const parts = [`max |a-b| = ${formatNumber(t.maxAbsDiff ?? 0)}`];
  if (t.at && t.maxAbsDiff !== 0) parts.push(`at ${formatShape(t.at)}`);
  if (t.differing > 0) parts.push(`${formatCount(t.differing)} of ${formatCount(t.elements)} elements differ`);
  if (t.dtypeB) parts.push(`(dtype ${t.dtype} -> ${t.dtypeB})`);
  return parts.join("  ");
}

/** The human form of a diff report. */
export function renderDiff(report: DiffReport, all = false): string {
  const side = (s: DiffReport["a"]) => `${s.path} (${s.format}${s.key === null ? "" : `, key '${s.key}'`})`;
  const out = [`a: ${side(report.a)}`, `b: ${side(report.b)}`];
  const tensorRow = (mark: string, t: TensorBrief) => [`${mark} ${displayKey(t.key)}`, t.dtype, formatShape(t.shape)];
  section(out, `Only in a (${report.onlyInA.length}):`, report.onlyInA.map((t) => tensorRow("-", t)));
  section(out, `Only in b (${report.onlyInB.length}):`, report.onlyInB.map((t) => tensorRow("+", t)));
  section(out, `Shape or dtype differs (${report.shapeOrDtype.length}):`, report.shapeOrDtype.map((d) => [`! ${displayKey(d.key)}`, `${d.a.dtype} ${formatShape(d.a.shape)}`, "->", `${d.b.dtype} ${formatShape(d.b.shape)}`]));
  const differing = report.tensors.filter((t) => !t.equal);
  const listed = all ? report.tensors : differing;
  const title = all
    ? `Common tensors (${report.tensors.length}; atol ${report.atol}):`
    : `Values differ (${differing.length} of ${report.tensors.length} comparable tensors; atol ${report.atol}):`;
  section(out, title, listed.map((t) => [`${t.equal ? "=" : "~"} ${displayKey(t.key)}`, comparisonText(t)]));
  const valueRow = (v: ValueDifference): string[] => {
    const a = v.a === null ? "(missing)" : truncate(v.a, 60);
    const b = v.b === null ? "(missing)" : truncate(v.b, 60);
    return [`${v.change === "onlyInA" ? "-" : v.change === "onlyInB" ? "+" : "~"} ${displayKey(v.key)}`, a, "->", b];
  };
  section(out, `Other values differ (${report.values.length}):`, report.values.map(valueRow));
  const t = report.totals;
  out.push("");
  if (report.identical) {
    out.push(`Same: ${plural(t.common, "tensor")} with equal values${report.atol > 0 ? ` (within atol ${report.atol})` : ""}, no other differences.`);
  } else {
    const parts = [`${plural(t.common, "common tensor")} (${formatCount(t.equal)} equal, ${formatCount(t.different)} differ${t.notCompared ? `, ${formatCount(t.notCompared)} not compared` : ""})`];
    if (t.onlyInA) parts.push(`${formatCount(t.onlyInA)} only in a`);
    if (t.onlyInB) parts.push(`${formatCount(t.onlyInB)} only in b`);
    if (t.shapeOrDtype) parts.push(`${formatCount(t.shapeOrDtype)} shape/dtype changes`);
    if (t.values) parts.push(`${plural(t.values, "other difference")}`);
    out.push(`Different: ${parts.join(", ")}.`);
  }
  return `${out.join("\n")}\n`;
}

/** Runs diff; returns the text to print and the exit code. */
export function diff(pathA: string, pathB: string, options: DiffOptions = {}): { text: string; code: number } {
  const a = openCheckpoint(pathA);
  try {
    const b = openCheckpoint(pathB);
    try {
      const report = diffCheckpoints(options.keyA === undefined ? a : selectKey(a, options.keyA), options.keyB === undefined ? b : selectKey(b, options.keyB), options);
      const text = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderDiff(report, options.all);
      const code = report.totals.notCompared > 0 ? EXIT_ERROR : report.identical ? EXIT_OK : EXIT_DIFFERENT;
      return { text, code };
    } finally {
      b.close();
    }
  } finally {
    a.close();
  }
}
