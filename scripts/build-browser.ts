/**
 * Bundles the browser entry (src/browser.ts) into one ES module, dist/tsorch.browser.js, with esbuild.
 * Usage: npm run build:browser [-- --outfile path] [-- --minify]
 *
 * The build is for `platform: "browser"`, where esbuild cannot resolve Node built-ins; the plugin below also
 * names the importer of any `node:*` module, so a Node-only import reaching the browser build fails it.
 */
import { build, type BuildResult, type Plugin } from "esbuild";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run build:browser` writes the bundle. */
export const DEFAULT_OUTFILE = join(ROOT, "dist", "tsorch.browser.js");

const noNodeBuiltins: Plugin = {
  name: "no-node-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `"${args.path}" imported by ${relative(ROOT, args.importer)}: the browser build must not import node:* modules` }],
    }));
  },
};

/** Builds the browser bundle to `outfile` (an ES module, with a source map). Throws when the build fails. */
export function buildBrowser(options: { outfile?: string; minify?: boolean; logLevel?: "silent" | "error" | "warning" | "info" } = {}): Promise<BuildResult> {
  return build({
    entryPoints: [join(ROOT, "src", "browser.ts")],
    outfile: options.outfile ?? DEFAULT_OUTFILE,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    minify: options.minify ?? false,
    metafile: true,
    logLevel: options.logLevel ?? "warning",
    plugins: [noNodeBuiltins],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--outfile");
  const outfile = at >= 0 ? args[at + 1] : undefined;
  const result = await buildBrowser({ outfile, minify: args.includes("--minify"), logLevel: "info" });
  const bytes = Object.values(result.metafile!.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`${relative(process.cwd(), outfile ?? DEFAULT_OUTFILE)}: ${(bytes / 1024).toFixed(0)} KiB`);
}
