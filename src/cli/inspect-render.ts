/** The human form of an inspect report: a header with the format details, the structure as a tree with aligned columns, shared storages and totals. */
import type { InspectReport, ReportTensor } from "./inspect.ts";
import type { FormatInfo } from "./format-info.ts";
import { type Cell, formatBytes, formatCount, formatShape, pad, padStart, truncate } from "./text.ts";
import { displayKey, nodeRepr, type StructureNode } from "./tree.ts";

/** Longest inline repr of a value or a small container. */
const INLINE_LIMIT = 100;

/** One line of the tree: its name part (prefix + key) and either tensor columns or free text. */
type TreeRow = { name: string; cells: Cell[] } | { name: string; text: string };

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

function containerSummary(node: StructureNode & { kind: "dict" | "list" }): string {
  const parts = [`${node.type} (${plural(node.items.length, "item")})`];
  if (node.tensors > 0) parts.push(`${plural(node.tensors, "tensor")}, ${plural(node.elements, "element")}`);
  return parts.join("  ");
}

/** A short inline form for a list of scalars too long to print whole: its first items and its length. */
function elidedList(node: StructureNode & { kind: "list" }): string | undefined {
  if (!node.items.every((i) => i.kind === "value")) return undefined;
  const open = node.type === "tuple" ? "(" : "[";
  const close = node.type === "tuple" ? ")" : "]";
  let text = open;
  for (let i = 0; i < node.items.length; i++) {
    const next = `${i > 0 ? ", " : ""}${nodeRepr(node.items[i])}`;
    if (text.length + next.length > INLINE_LIMIT - 20) return `${text}, ...${close}  (${plural(node.items.length, "item")})`;
    text += next;
  }
  return `${text}${close}`;
}

function showLocations(report: InspectReport): boolean {
  return report.tensors.some((t) => t.location !== "cpu" || t.device !== "cpu");
}

/** What the tensor rows need to know about the whole report, computed once. */
interface RowContext {
  report: InspectReport;
  locations: boolean;
  shared: Set<string>;
}

function tensorCells(t: ReportTensor, { report, locations, shared }: RowContext): Cell[] {
  const cells: Cell[] = [t.dtype, formatShape(t.shape), { text: formatCount(t.elements), right: true }, { text: formatBytes(t.bytes), right: true }];
  if (report.format.kind !== "safetensors") cells.push(t.storage !== null ? `storage ${t.storage}` : t.location === "meta" ? "no data (meta)" : "storage ?");
  if (locations) cells.push(t.location === t.device ? t.location : `${t.location} -> ${t.device}`);
  const flags: string[] = [];
  if (t.storageOffset !== 0) flags.push(`offset ${formatCount(t.storageOffset)}`);
  if (!t.contiguous) flags.push("non-contiguous");
  if (t.storage !== null && shared.has(t.storage)) flags.push("shared");
  if (t.requiresGrad) flags.push("requires_grad");
  cells.push(flags.join(", "));
  return cells;
}

/** The tree rows under a node (its children), with box-drawing prefixes. */
function treeRows(node: StructureNode, context: RowContext, prefix: string, rows: TreeRow[]): void {
  if (node.kind !== "dict" && node.kind !== "list") return;
  const children = node.kind === "dict"
    ? node.items.map((i) => ({ name: i.keyType ? `${i.key}` : String(i.key), value: i.value }))
    : node.items.map((value, i) => ({ name: `[${i}]`, value }));
  children.forEach((child, i) => {
    const last = i === children.length - 1;
    const branch = prefix + (last ? "└─ " : "├─ ");
    const inner = prefix + (last ? "   " : "│  ");
    nodeRows(child.name, child.value, context, branch, inner, rows);
  });
}

function nodeRows(name: string, node: StructureNode, context: RowContext, branch: string, inner: string, rows: TreeRow[]): void {
  const label = branch + name;
  if (node.kind === "tensor") {
    rows.push({ name: label, cells: tensorCells(context.report.tensors[node.index], context) });
    return;
  }
  if (node.kind === "value") {
    rows.push({ name: label, text: truncate(node.repr, INLINE_LIMIT) });
    return;
  }
  if (node.tensors === 0) {
    const repr = nodeRepr(node);
    if (repr.length <= INLINE_LIMIT) {
      rows.push({ name: label, text: repr });
      return;
    }
    if (node.kind === "list") {
      const elided = elidedList(node);
      if (elided) {
        rows.push({ name: label, text: elided });
        return;
      }
    }
  }
  rows.push({ name: label, text: containerSummary(node) });
  treeRows(node, context, inner, rows);
}

/** Lays out tree rows: names padded to one width, tensor columns aligned among tensor rows. */
function layoutRows(rows: TreeRow[]): string[] {
  const nameWidth = Math.max(0, ...rows.map((r) => [...r.name].length));
  const widths: number[] = [];
  for (const row of rows) {
    if ("cells" in row) row.cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...(typeof c === "string" ? c : c.text)].length)));
  }
  return rows.map((row) => {
    if ("text" in row) return `${pad(row.name, nameWidth)}  ${row.text}`.trimEnd();
    const cells = row.cells.map((c, i) => (typeof c === "string" ? pad(c, widths[i]) : padStart(c.text, widths[i])));
    return `${pad(row.name, nameWidth)}  ${cells.join("  ")}`.trimEnd();
  });
}

function formatLines(format: FormatInfo): [string, string][] {
  const lines: [string, string][] = [["Format", format.description]];
  lines.push(["Writer", format.writer.summary]);
  for (const e of format.writer.evidence) lines.push(["", `- ${e}`]);
  if (format.kind === "zip") {
    const byteorder = format.byteorderRecord ? `${format.byteorder} (byteorder record)` : `${format.byteorder} (no byteorder record: assumed)`;
    lines.push(["Archive", `folder '${format.archiveName}/', ${format.versionRecord} ${format.version}, byte order ${byteorder}`]);
    const extra: string[] = [];
    if (format.formatVersion !== null) extra.push(`.format_version ${format.formatVersion}`);
    if (format.storageAlignment !== null) extra.push(`.storage_alignment ${format.storageAlignment}`);
    if (format.serializationId !== null) extra.push(`serialization_id ${format.serializationId}`);
    if (extra.length > 0) lines.push(["", extra.join(", ")]);
    const storages = format.records.filter((r) => r.name.startsWith(`${format.archiveName}/data/`)).length;
    const alignment = format.alignment.allAligned ? `all ${format.alignment.boundary}-byte aligned` : `${format.alignment.misaligned.length} not ${format.alignment.boundary}-byte aligned (${format.alignment.misaligned.slice(0, 3).join(", ")}${format.alignment.misaligned.length > 3 ? ", ..." : ""})`;
    lines.push(["Records", `${plural(format.records.length, "record")} (${plural(storages, "storage")}), ${alignment}, zip64 end record: ${format.zip64 ? "yes" : "no"}`]);
    const others = format.records.filter((r) => !r.name.startsWith(`${format.archiveName}/data/`)).map((r) => `${r.name.slice(format.archiveName.length + 1)} (${formatBytes(r.bytes)})`);
    lines.push(["", others.join(", ")]);
  } else if (format.kind === "legacy") {
    lines.push(["Header", `magic ${format.magic}, protocol_version ${format.protocolVersion}, byte order ${format.byteorder}`]);
    lines.push(["sys_info", JSON.stringify(format.sysInfo)]);
  } else {
    lines.push(["Header", `${formatCount(format.headerBytes)} bytes of JSON; data at offset ${formatCount(format.dataOffset)} (${format.dataAligned ? "8-byte aligned" : "not 8-byte aligned"}), ${formatBytes(format.dataBytes)}`]);
    if (format.metadata === null) lines.push(["Metadata", "none"]);
    else {
      const entries = Object.entries(format.metadata);
      const line = ([k, v]: [string, string]) => `${k} = ${truncate(v, INLINE_LIMIT)}${Object.hasOwn(format.aliases, k) ? "  (alias: a tied tensor stored once under that name)" : ""}`;
      lines.push(["Metadata", entries.length === 0 ? "{}" : line(entries[0])]);
      for (const entry of entries.slice(1)) lines.push(["", line(entry)]);
    }
  }
  if (format.kind !== "safetensors" && format.globals.length > 0) lines.push(["Globals", format.globals.join(", ")]);
  return lines;
}

/** The human output of inspect. */
export function renderInspect(report: InspectReport): string {
  const out: string[] = [];
  const header: [string, string][] = [["File", `${report.file.path} (${formatBytes(report.file.bytes)}, ${formatCount(report.file.bytes)} bytes)`], ...formatLines(report.format)];
  const labelWidth = Math.max(...header.map(([label]) => label.length));
  for (const [label, text] of header) out.push(`${pad(label, labelWidth)}  ${text}`.trimEnd());
  out.push("");
  const root = report.structure;
  const rows: TreeRow[] = [];
  const context: RowContext = { report, locations: showLocations(report), shared: new Set(report.shared.map((s) => s.storage)) };
  if (root.kind === "dict" || root.kind === "list") {
    out.push(`Contents: ${containerSummary(root)}`);
    treeRows(root, context, "", rows);
  } else {
    out.push("Contents:");
    nodeRows(displayKey(""), root, context, "", "", rows);
  }
  out.push(...layoutRows(rows));
  if (report.shared.length > 0) {
    out.push("", "Shared storages (tensors that view the same data):");
    for (const s of report.shared) {
      out.push(`  storage ${s.storage} (${s.dtype}, ${formatBytes(s.bytes)}): ${s.tensors.map(displayKey).join(", ")}`);
    }
  }
  const t = report.totals;
  out.push("");
  const storagePart = report.format.kind === "safetensors"
    ? `${formatBytes(t.storageBytes)} (${formatCount(t.storageBytes)} bytes) of tensor data`
    : `${plural(t.storages, "storage")} holding ${formatBytes(t.storageBytes)} (${formatCount(t.storageBytes)} bytes)`;
  out.push(`Total: ${plural(t.tensors, "tensor")}, ${plural(t.elements, "element")}; ${storagePart}`);
  return `${out.join("\n")}\n`;
}
