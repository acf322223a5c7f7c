/**
 * `tsorch convert IN OUT`: between torch.save files and safetensors, the output's extension deciding
 * (`.safetensors`, anything else is a torch.save zip file).
 * - torch.save -> safetensors: the state dict (the whole file, or the dict under `--key`) is flattened with
 *   dotted keys; tensors that share memory are refused unless `--dedupe`. Metadata: `format=pt`, what an
 *   earlier conversion kept in `_safetensors_metadata`, then `--metadata k=v`.
 * - safetensors -> torch.save: an OrderedDict state dict in file order; names dropped by a deduplicating
 *   writer are restored as tied tensors; the other `__metadata__` entries are kept on the OrderedDict as the
 *   attribute `_safetensors_metadata` (PyTorch loads it as `sd._safetensors_metadata`; load_state_dict ignores it).
 * - torch.save -> torch.save re-saves with tsorch (legacy files become zip files, cuda storages cpu ones).
 * The output is written to a temporary file next to OUT and renamed, so a failure leaves no partial file.
 */
import { existsSync, realpathSync, renameSync, unlinkSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { dictEntries, isDict, isOrderedDict, orderedDict, pyAttributes, setPyAttribute } from "../python/dict.ts";
import { loadSafetensors, saveSafetensorsFile } from "../serialization/safetensors/node.ts";
import { SafetensorsError } from "../serialization/safetensors/errors.ts";
import { loadWithFormat, saveSync } from "../serialization/torch/node.ts";
import { archiveNameFor } from "../serialization/torch/save.ts";
import { Tensor } from "../tensor/tensor.ts";
import { Module } from "../nn/module.ts";
import { openCheckpoint } from "./checkpoint.ts";
import { CliError, FileError } from "./errors.ts";
import { formatBytes, formatCount } from "./text.ts";
import { reprOf, typeOf } from "./tree.ts";

/** The OrderedDict attribute that carries safetensors metadata through a .pt file. */
export const METADATA_ATTRIBUTE = "_safetensors_metadata";

/** Options of convert. */
export interface ConvertOptions {
  key?: string;
  dedupe?: boolean;
  metadata?: string[];
  widenUnsigned?: boolean;
  force?: boolean;
}

const isSafetensorsPath = (path: string) => extname(path).toLowerCase() === ".safetensors";

/** Why a value is not a state dict (a dict whose leaves, through nested dicts, are all tensors), or null when it is one. */
function notStateDict(value: unknown, prefix: string): string | null {
  if (!isDict(value)) return `${prefix ? `'${prefix.slice(0, -1)}'` : "the value"} is ${article(typeOf(value))}`;
  for (const [k, v] of dictEntries(value)) {
    const name = `${prefix}${String(k)}`;
    if (v instanceof Tensor) continue;
    if (isDict(v)) {
      const why = notStateDict(v, `${name}.`);
      if (why) return why;
      continue;
    }
    return `'${name}' is ${article(typeOf(v))} (${truncateRepr(v)})`;
  }
  return null;
}

/** `a dict`, `an int`. */
function article(type: string): string {
  return `${/^[aeiou]/i.test(type) ? "an" : "a"} ${type}`;
}

function truncateRepr(value: unknown): string {
  const text = reprOf(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function countTensors(value: unknown): number {
  if (value instanceof Tensor) return 1;
  if (!isDict(value)) return 0;
  return dictEntries(value).reduce((n, [, v]) => n + countTensors(v), 0);
}

/** Keys (top level, or one level down) whose values are state dicts, for error messages. */
function stateDictKeys(root: unknown): string[] {
  if (!isDict(root)) return [];
  const found: string[] = [];
  for (const [k, v] of dictEntries(root)) {
    if (isDict(v) && notStateDict(v, "") === null && countTensors(v) > 0) found.push(`${String(k)} (${countTensors(v)} tensors)`);
  }
  return found;
}

/** Flattens a state dict: nested dicts join their keys with dots. */
function flatten(value: unknown, prefix: string, out: Map<string, Tensor>): void {
  for (const [k, v] of dictEntries(value as Record<string, unknown>)) {
    const name = `${prefix}${String(k)}`;
    if (v instanceof Tensor) {
      if (out.has(name)) throw new CliError(`two tensors flatten to the same name '${name}' (a key with a dot and a nested dict)`);
      out.set(name, v);
    } else flatten(v, `${name}.`, out);
  }
}

/** The value under `--key`: a top-level key, else a dotted path through nested dicts. */
function selectKey(root: unknown, key: string, path: string): unknown {
  if (!isDict(root)) throw new CliError(`--key '${key}': ${path} holds ${article(typeOf(root))}, not a dict`);
  for (const [k, v] of dictEntries(root)) if (String(k) === key) return v;
  let node: unknown = root;
  for (const part of key.split(".")) {
    if (!isDict(node)) { node = undefined; break; }
    const hit = dictEntries(node).find(([k]) => String(k) === part);
    node = hit ? hit[1] : undefined;
    if (node === undefined) break;
  }
  if (node !== undefined) return node;
  const keys = dictEntries(root).map(([k]) => String(k));
  const candidates = stateDictKeys(root);
  throw new CliError(`no key '${key}' in ${path}; its keys are: ${keys.slice(0, 20).join(", ")}${keys.length > 20 ? ", ..." : ""}`,
    candidates.length > 0 ? [`keys that hold state dicts: ${candidates.join(", ")}`] : []);
}

function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`invalid --metadata '${pair}': expected key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Writes through a temporary file in OUT's folder, renamed into place when complete. */
function writeAtomically(out: string, write: (tmp: string) => void): void {
  const tmp = join(dirname(out), `.${basename(out)}.tsorch-${process.pid}.tmp`);
  try {
    write(tmp);
    renameSync(tmp, out);
  } catch (error) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw error;
  }
}

function checkPaths(input: string, output: string, force: boolean): void {
  if (!existsSync(output)) return;
  let same = resolve(input) === resolve(output);
  try { same ||= realpathSync(input) === realpathSync(output); } catch { /* input missing: reported when opened */ }
  if (same) throw new CliError(`the output ${output} is the input file; write to another path`);
  if (!force) throw new CliError(`${output} exists`, ["pass --force to overwrite it"]);
}

/** Loads a torch.save file eagerly (every storage on the CPU) and selects `--key`. */
function loadTorch(path: string, key: string | undefined): { value: unknown; where: string } {
  let value: unknown;
  try {
    value = loadWithFormat(path, { mapLocation: "cpu" }).value;
  } catch (error) {
    throw new FileError(path, error);
  }
  if (key === undefined) return { value, where: path };
  return { value: selectKey(value, key, path), where: `${path} key '${key}'` };
}

function toSafetensors(input: string, output: string, options: ConvertOptions): string {
  const loaded = loadTorch(input, options.key);
  const where = loaded.where;
  const value = loaded.value instanceof Module ? loaded.value.stateDict() : loaded.value;
  const why = notStateDict(value, "");
  if (why !== null) {
    if (value instanceof Tensor) throw new CliError(`${where} holds a single tensor, not a state dict (a dict of tensors)`, ["save it in a dict, e.g. torch.save({'weight': t}, path)"]);
    const candidates = stateDictKeys(value);
    const hints = candidates.length > 0
      ? [`keys that hold state dicts: ${candidates.join(", ")}`, `choose one with --key, e.g. --key ${candidates[0].split(" ")[0]}`]
      : ["safetensors holds only named tensors; no key of this file holds a dict of tensors"];
    throw new CliError(`${where} is not a state dict: ${why}`, hints);
  }
  const tensors = new Map<string, Tensor>();
  flatten(value, "", tensors);
  const metadata: Record<string, string> = { format: "pt" };
  if (isDict(value) && isOrderedDict(value)) {
    const kept = pyAttributes(value).find(([name]) => name === METADATA_ATTRIBUTE)?.[1];
    if (isDict(kept)) for (const [k, v] of dictEntries(kept)) if (typeof v === "string") metadata[String(k)] = v;
  }
  Object.assign(metadata, parseMetadata(options.metadata ?? []));
  let written = 0;
  try {
    writeAtomically(output, (tmp) => (written = saveSafetensorsFile(tmp, tensors, { metadata, dedupe: options.dedupe ?? false })));
  } catch (error) {
    if (error instanceof SafetensorsError && error.code === "SHARED_MEMORY") {
      const groups = error.message.split("\n")[0].replace(/^.*loading them again: /, "").replace(/\.$/, "");
      throw new CliError(`tensors share memory: ${groups}; safetensors cannot store shared tensors`, [
        "pass --dedupe to write tied tensors once (the dropped names are recorded in __metadata__, and converting back to .pt ties them again)",
      ]);
    }
    throw new FileError(output, error);
  }
  const elements = [...tensors.values()].reduce((n, t) => n + t.numel(), 0);
  return `wrote ${output}: ${formatCount(tensors.size)} tensors, ${formatCount(elements)} elements, ${formatBytes(written)} (from ${where})\n`;
}

function fromSafetensors(input: string, output: string, options: ConvertOptions): string {
  if (options.key !== undefined) throw new CliError("--key selects a state dict inside a torch.save file; a safetensors file is one flat state dict");
  let contents: ReturnType<typeof loadSafetensors>;
  try {
    contents = loadSafetensors(input, { restoreAliases: true, widenUnsigned: options.widenUnsigned ?? false });
  } catch (error) {
    if (error instanceof SafetensorsError && error.code === "UNSUPPORTED_DTYPE" && /U16|U32/.test(error.message)) {
      throw new CliError(`${input}: ${error.message.replace(/; pass \{ widenUnsigned: true \}.*$/, "")}`, ["pass --widen-unsigned to load U16 as int32 and U32 as int64 (lossless)"]);
    }
    throw new FileError(input, error);
  }
  const entries = Object.entries(contents.tensors);
  const sd = orderedDict(entries);
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(contents.metadata ?? {})) {
    const restoredAlias = Object.hasOwn(contents.tensors, k) && Object.hasOwn(contents.tensors, v);
    if (!restoredAlias) kept[k] = v;
  }
  Object.assign(kept, parseMetadata(options.metadata ?? []));
  if (Object.keys(kept).length > 0) setPyAttribute(sd, METADATA_ATTRIBUTE, kept);
  writeAtomically(output, (tmp) => saveSync(sd, tmp, { archiveName: archiveNameFor(output) }));
  const elements = entries.reduce((n, [, t]) => n + t.numel(), 0);
  const note = Object.keys(kept).length > 0 ? `; metadata kept as ${METADATA_ATTRIBUTE}` : "";
  return `wrote ${output}: OrderedDict of ${formatCount(entries.length)} tensors, ${formatCount(elements)} elements (torch.save zip format${note})\n`;
}

function torchToTorch(input: string, output: string, options: ConvertOptions): string {
  if ((options.metadata ?? []).length > 0) throw new CliError("--metadata needs a .safetensors output or input (torch.save files have no metadata map)");
  const { value, where } = loadTorch(input, options.key);
  writeAtomically(output, (tmp) => saveSync(value, tmp, { archiveName: archiveNameFor(output) }));
  return `wrote ${output}: torch.save zip format (from ${where})\n`;
}

function safetensorsToSafetensors(input: string, output: string, options: ConvertOptions): string {
  const contents = loadSafetensors(input, { widenUnsigned: options.widenUnsigned ?? false });
  const metadata = { ...(contents.metadata ?? {}), ...parseMetadata(options.metadata ?? []) };
  let written = 0;
  writeAtomically(output, (tmp) => (written = saveSafetensorsFile(tmp, contents.tensors, { metadata: Object.keys(metadata).length > 0 ? metadata : null })));
  return `wrote ${output}: ${formatCount(Object.keys(contents.tensors).length)} tensors, ${formatBytes(written)}\n`;
}

/** Runs convert; returns the summary line. */
export function convert(input: string, output: string, options: ConvertOptions = {}): string {
  const source = openCheckpoint(input);
  const kind = source.kind;
  source.close();
  checkPaths(input, output, options.force ?? false);
  const toSf = isSafetensorsPath(output);
  if (kind === "safetensors") return toSf ? safetensorsToSafetensors(input, output, options) : fromSafetensors(input, output, options);
  if (options.widenUnsigned) throw new CliError("--widen-unsigned applies to safetensors input only");
  return toSf ? toSafetensors(input, output, options) : torchToTorch(input, output, options);
}
