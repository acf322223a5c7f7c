/** map_location: where each storage goes on load, with PyTorch's semantics and messages. */
import { Device } from "../../tensor/device.ts";
import { CheckpointError } from "./errors.ts";

/** What a storage looks like to a mapLocation function (its data is not read yet). */
export interface StorageInfo {
  /** The location written in the file (`cpu`, `cuda:0`, `mps`, `meta`). */
  readonly location: string;
  /** Size in bytes. */
  readonly nbytes: number;
  /** The record key (`"0"`, `"1"`, ...). */
  readonly key: string;
}

/**
 * `mapLocation`: a device for every storage (`"cpu"`, `"meta"`), a `{ from: to }` table
 * (`{ "cuda:0": "cpu" }`), or a function `(storage, location) => device | undefined` (undefined keeps the default).
 */
export type MapLocation =
  | string
  | Device
  | Readonly<Record<string, string>>
  | ((storage: StorageInfo, location: string) => string | Device | undefined | null);

/** PyTorch's message when a file holds CUDA storages and no CUDA exists. */
export const CUDA_UNAVAILABLE =
  "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. " +
  "If you are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your storages to the CPU." +
  " In tsorch: torch.load(path, { mapLocation: \"cpu\" }).";

/** Resolves where a storage saved at `location` goes: `cpu` or `meta`, or throws PyTorch's error. */
export function resolveLocation(map: MapLocation | undefined, info: StorageInfo): "cpu" | "meta" {
  let target: string | Device | undefined | null = info.location;
  if (typeof map === "string" || map instanceof Device) target = map;
  else if (typeof map === "function") target = map(info, info.location) ?? info.location;
  else if (map) target = Object.hasOwn(map, info.location) ? map[info.location] : info.location;
  const device = target instanceof Device ? target : parseDevice(String(target));
  if (device.type === "cpu" || device.type === "meta") return device.type;
  if (device.type === "cuda") throw new CheckpointError("DEVICE_UNAVAILABLE", CUDA_UNAVAILABLE);
  if (device.type === "mps") {
    throw new CheckpointError("DEVICE_UNAVAILABLE", `Attempting to deserialize object on a MPS device but the MPS backend is not available. Use torch.load(path, { mapLocation: "cpu" }).`);
  }
  throw new CheckpointError("DEVICE_UNAVAILABLE", `don't know how to restore data location ${device} (tsorch holds data on cpu and meta only; pass { mapLocation: "cpu" })`);
}

function parseDevice(text: string): Device {
  try {
    return new Device(text);
  } catch (error) {
    throw new CheckpointError("BAD_MAP_LOCATION", `invalid location '${text}' from mapLocation`, { cause: error });
  }
}
