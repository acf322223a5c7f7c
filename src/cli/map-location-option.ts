/** The `--map-location` option: `cpu`, `meta`, or a table `cuda:0=cpu,cuda:1=cpu` (like torch.load's map_location). */
import { CliError } from "./errors.ts";

const DEVICE = /^[a-z_]+(:\d+)?$/;

function checkDevice(text: string, option: string): string {
  if (!DEVICE.test(text)) throw new CliError(`invalid --map-location '${option}': '${text}' is not a device (expected cpu, meta, cuda:0, ...)`);
  return text;
}

/**
 * Parses `--map-location` into a function from a saved location to the device torch.load would use:
 * a device maps every storage there; `from=to` pairs map only the named locations.
 */
export function parseMapLocation(option: string | undefined): (location: string) => string {
  if (option === undefined || option === "") return (location) => location;
  if (!option.includes("=")) {
    const device = checkDevice(option.trim(), option);
    return () => device;
  }
  const table = new Map<string, string>();
  for (const pair of option.split(",")) {
    const [from, to, ...rest] = pair.split("=").map((s) => s.trim());
    if (!from || !to || rest.length > 0) throw new CliError(`invalid --map-location '${option}': expected a device or pairs like cuda:0=cpu,cuda:1=cpu`);
    table.set(checkDevice(from, option), checkDevice(to, option));
  }
  return (location) => table.get(location) ?? location;
}
