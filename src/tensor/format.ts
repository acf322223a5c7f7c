/** PyTorch-style tensor printing: `tensor([[1.0000, 2.5000], [3.0000, 4.0000]], requires_grad=True)`. */
import type { Tensor } from "./tensor.ts";
import { toFloatArray } from "../ops/convert.ts";

const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;
const INDENT = "tensor(".length;
const THRESHOLD = 1000;

interface Formatter {
  width: number;
  format(v: number): string;
}

function floatFormatter(values: number[]): Formatter {
  const finite = values.filter((v) => Number.isFinite(v));
  const absNonZero = finite.map(Math.abs).filter((v) => v !== 0);
  const allInts = finite.every((v) => Number.isInteger(v));
  const max = absNonZero.length ? Math.max(...absNonZero) : 0;
  const min = absNonZero.length ? Math.min(...absNonZero) : 0;
  let format: (v: number) => string;
  if (allInts && max < 1e8) {
    format = (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  } else if (absNonZero.length && (max / min > 1000 || max > 1e8 || min < 1e-4)) {
    format = (v) => (Number.isFinite(v) ? sci(v) : special(v));
  } else {
    format = (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
  }
  const width = Math.max(...values.map((v) => format(v).length), 1);
  return { width, format };
}

function sci(v: number): string {
  const [m, e] = v.toExponential(4).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function special(v: number): string {
  return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

function formatterFor(t: Tensor, values: number[]): Formatter {
  if (t.dtype.name === "bool") return { width: 5, format: (v) => (v ? "True" : "False") };
  if (!t.dtype.isFloatingPoint) {
    const width = Math.max(...values.map((v) => String(v).length), 1);
    return { width, format: (v) => String(v) };
  }
  return floatFormatter(values);
}

/** The indices kept along a dim of length n when summarizing. */
function keptIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)];
}

/** Formats a tensor like PyTorch's `repr`. */
export function formatTensor(t: Tensor): string {
  const suffixes: string[] = [];
  if (t.isMeta) {
    suffixes.push(`device='meta'`, `size=(${t.dims.join(", ")}${t.dims.length === 1 ? "," : ""})`);
    if (t.dtype.name !== "float32") suffixes.push(`dtype=${t.dtype}`);
    return `tensor(..., ${suffixes.join(", ")})`;
  }
  if (t.dtype.isComplex) return `tensor(<${t.dtype} data>, size=(${t.dims.join(", ")}))`;
  const data = toFloatArray(t);
  const summarize = data.length > THRESHOLD;
  const strides = t.dims.map((_, i) => t.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const shown: number[] = [];
  const collect = (d: number, base: number): void => {
    if (d === t.dims.length) {
      shown.push(data[base]);
      return;
    }
    for (const i of keptIndices(t.dims[d], summarize)) if (i !== null) collect(d + 1, base + i * strides[d]);
  };
  collect(0, 0);
  const fmt = formatterFor(t, shown);
  const render = (d: number, base: number): string => {
    if (d === t.dims.length) return fmt.format(data[base]).padStart(fmt.width);
    const ellipsis = d === t.dims.length - 1 ? " ..." : "...";
    const parts = keptIndices(t.dims[d], summarize).map((i) => (i === null ? ellipsis : render(d + 1, base + i * strides[d])));
    const indent = INDENT + d;
    if (d === t.dims.length - 1) {
      // PyTorch's _vector_str: as many elements per line as fit in the line width.
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (fmt.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < parts.length; i += perLine) lines.push(parts.slice(i, i + perLine).join(", "));
      return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
    }
    const sep = "," + "\n".repeat(t.dims.length - d - 1) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = render(0, 0);
  if (data.length === 0) {
    body = "[]";
    if (t.dims.length !== 1) suffixes.push(`size=(${t.dims.join(", ")})`);
  }
  const defaultDtype = t.dtype.name === "float32" || t.dtype.name === "int64" || t.dtype.name === "bool";
  if (!defaultDtype) suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=${t.gradFn}`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return `tensor(${addSuffixes(body, suffixes)})`;
}

/** PyTorch's _add_suffixes: `, dtype=...` on the same line when it fits in the line width, else on a new one. */
function addSuffixes(body: string, suffixes: readonly string[]): string {
  let out = body;
  let lastLine = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > LINE_WIDTH) {
      out += ",\n" + " ".repeat(INDENT) + suffix;
      lastLine = INDENT + suffix.length;
    } else {
      out += ", " + suffix;
      lastLine += suffix.length + 2;
    }
  }
  return out;
}
