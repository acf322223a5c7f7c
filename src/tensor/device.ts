/** Devices: where a tensor's data lives. tsorch computes on `cpu`; `meta` tensors have shape and dtype only. */

/** A PyTorch device such as `cpu`, `meta` or `cuda:0` (the latter only as a location read from files). */
export class Device {
  /** Parses `"cpu"`, `"meta"`, `"cuda:1"`, `"mps"`. */
  constructor(spec: string, index?: number) {
    const m = /^([a-z_]+)(?::(\d+))?$/.exec(spec);
    if (!m) throw new Error(`Invalid device string: '${spec}'`);
    this.type = m[1];
    this.index = index ?? (m[2] !== undefined ? Number(m[2]) : null);
  }
  /** `cpu`, `meta`, `cuda`, `mps`, ... */
  readonly type: string;
  /** The device index, or null when none was given. */
  readonly index: number | null;

  /** `cuda:0`, `cpu`. */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
}

/** A device or its string form. */
export type DeviceLike = Device | string;

/** Resolves a device argument. */
export function toDevice(d: DeviceLike): Device {
  return d instanceof Device ? d : new Device(d);
}

/** The CPU device. */
export const CPU = new Device("cpu");
/** The meta device (no data). */
export const META = new Device("meta");

/** True when tsorch can hold data for this device type. */
export function isSupportedDevice(d: Device): boolean {
  return d.type === "cpu" || d.type === "meta";
}
