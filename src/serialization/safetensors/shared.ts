/**
 * Finding tensors that share memory before a save: safetensors has no aliasing, so two names over one
 * storage would come back as two independent tensors. Like the reference's `_find_shared_tensors` and
 * `_filter_shared_not_shared`, tensors count as shared when their byte ranges in one storage overlap.
 */
import type { Tensor } from "../../tensor/tensor.ts";

/** The bytes `[start, end)` of its storage that a tensor can touch, or null when it has no elements. */
export function storageByteRange(t: Tensor): [number, number] | null {
  if (t.numel() === 0) return null;
  let last = t.offset;
  for (let i = 0; i < t.dims.length; i++) last += (t.dims[i] - 1) * t.strides[i];
  const size = t.dtype.itemsize;
  return [t.offset * size, (last + 1) * size];
}

/** Groups of names (each of two or more, in input order) whose tensors overlap in memory. */
export function findSharedTensors(entries: readonly (readonly [string, Tensor])[]): string[][] {
  const byStorage = new Map<number, { name: string; index: number; start: number; end: number }[]>();
  entries.forEach(([name, t], index) => {
    const range = storageByteRange(t);
    if (!range || t.storage.isMeta) return;
    const list = byStorage.get(t.storage.id) ?? [];
    list.push({ name, index, start: range[0], end: range[1] });
    byStorage.set(t.storage.id, list);
  });
  const groups: { names: { name: string; index: number }[] }[] = [];
  for (const list of byStorage.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.start - b.start);
    let current = [list[0]];
    let end = list[0].end;
    for (const item of list.slice(1)) {
      if (item.start < end) {
        current.push(item);
        end = Math.max(end, item.end);
      } else {
        if (current.length > 1) groups.push({ names: current });
        current = [item];
        end = item.end;
      }
    }
    if (current.length > 1) groups.push({ names: current });
  }
  return groups
    .map((g) => g.names.sort((a, b) => a.index - b.index))
    .sort((a, b) => a[0].index - b[0].index)
    .map((g) => g.map((x) => x.name));
}

/** True when two tensors are the same view: storage, offset, shape, strides and dtype. */
export function isSameView(a: Tensor, b: Tensor): boolean {
  return a.storage === b.storage && a.offset === b.offset && a.dtype === b.dtype &&
    a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i] && a.strides[i] === b.strides[i]);
}

/** Python's repr of a list of sets of names, as the reference's error prints it: `[{'a', 'b'}]`. */
export function formatSharedGroups(groups: readonly string[][]): string {
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `[${groups.map((g) => `{${g.map(quote).join(", ")}}`).join(", ")}]`;
}
