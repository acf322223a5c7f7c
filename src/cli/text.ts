/** Text helpers of the command line's human output: sizes, counts, shapes, aligned columns. */

/** `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `812 B`, `1.76 KiB`, `4.00 MiB`, `1.50 GiB` (binary units). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

/** `[6, 3, 5, 5]`; `[]` for a 0-d tensor. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A number for humans: up to 6 significant digits, exponent form when very small or large. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e6) return String(Number(x.toPrecision(6)));
  return x.toExponential(4).replace(/\.?0+e/, "e");
}

/** Visible width of a string (code points; good enough for the box-drawing characters used here). */
function width(s: string): number {
  return [...s].length;
}

/** Pads to a visible width. */
export function pad(s: string, n: number): string {
  return s + " ".repeat(Math.max(0, n - width(s)));
}

/** Left-pads to a visible width (numbers). */
export function padStart(s: string, n: number): string {
  return " ".repeat(Math.max(0, n - width(s))) + s;
}

/** Cells of an aligned table row: text, and whether it is right-aligned. */
export type Cell = string | { text: string; right: true };

/** Shortens a one-line text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
