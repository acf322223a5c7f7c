/**
 * The `tsorch` command line: `inspect`, `diff` and `convert` checkpoints and safetensors files.
 *
 * ```sh
 * tsorch inspect model.pt            # structure, tensors, storages, format and writer evidence
 * tsorch diff a.pt b.safetensors     # exit 0 when the same, 1 when different, 2 on errors
 * tsorch convert model.pt model.safetensors
 * ```
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { convert } from "./convert.ts";
import { diff } from "./diff.ts";
import { describeError, EXIT_ERROR, EXIT_OK } from "./errors.ts";
import { inspect } from "./inspect.ts";

/** Where the command line writes (replaceable in tests). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function parseAtol(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError("expected a non-negative number such as 1e-6.");
  return x;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Builds the program; each action stores its exit code in `state.code`. */
function buildProgram(io: Output, state: { code: number }): Command {
  const program = new Command("tsorch");
  const fail = (command: string, error: unknown) => {
    if (process.env.TSORCH_DEBUG) io.err(`${(error as Error)?.stack ?? String(error)}\n`);
    const { message, hints } = describeError(error);
    io.err(`tsorch ${command}: error: ${message}\n`);
    for (const hint of hints) io.err(`  hint: ${hint}\n`);
    state.code = EXIT_ERROR;
  };
  program
    .description("Inspect, compare and convert PyTorch checkpoints (torch.save files) and safetensors files, without Python.")
    .version(packageVersion(), "-V, --version", "print the tsorch version")
    .helpOption("-h, --help", "show help")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", `
Exit codes: 0 success (diff: no differences), 1 differences found (diff), 2 errors.
Run 'tsorch <command> --help' for a command's options.`);

  program
    .command("inspect")
    .description("show what a checkpoint or safetensors file holds, without reading tensor data: structure, tensors, shared storages, totals, format and writer evidence")
    .argument("<file>", "a torch.save file (.pt, .pth, .tar, ...; zip or legacy format) or a .safetensors file")
    .option("--json", "print a JSON report (schema tsorch.inspect/1, see src/cli/README.md)")
    .option("--map-location <device>", "show where torch.load would put each storage: a device (cpu) or pairs like cuda:0=cpu,cuda:1=cpu")
    .addHelpText("after", "\nExamples:\n  tsorch inspect checkpoint.tar\n  tsorch inspect model.safetensors --json | jq .totals")
    .action((file: string, options: { json?: boolean; mapLocation?: string }) => {
      try {
        io.out(inspect(file, options));
        state.code = EXIT_OK;
      } catch (error) {
        fail("inspect", error);
      }
    });

  program
    .command("diff")
    .description("compare two checkpoints (torch.save or safetensors): keys only in one, shape/dtype differences, largest absolute difference per common tensor, non-tensor values")
    .argument("<a>", "first file")
    .argument("<b>", "second file")
    .option("--json", "print a JSON report (schema tsorch.diff/1)")
    .option("--atol <x>", "tensors whose values differ by at most x count as equal", parseAtol, 0)
    .option("--all", "list every common tensor, not only those that differ")
    .option("--key <key>", "compare only the part under this key in both files (e.g. model_state_dict)")
    .option("--key-a <key>", "compare only the part of <a> under this key")
    .option("--key-b <key>", "compare only the part of <b> under this key")
    .addHelpText("after", "\nExit status: 0 when the files hold the same keys, shapes, dtypes and values (within --atol), 1 when they differ, 2 on errors.")
    .action((a: string, b: string, options: { json?: boolean; atol: number; all?: boolean; key?: string; keyA?: string; keyB?: string }) => {
      try {
        const result = diff(a, b, { ...options, keyA: options.keyA ?? options.key, keyB: options.keyB ?? options.key });
        io.out(result.text);
        state.code = result.code;
      } catch (error) {
        fail("diff", error);
      }
    });

  program
    .command("convert")
    .description("convert between torch.save files and .safetensors (chosen by the output's extension)")
    .argument("<in>", "input file (.pt/.pth/.tar/... or .safetensors)")
    .argument("<out>", "output file: .safetensors, or any other extension for a torch.save file")
    .option("--key <key>", "convert the state dict stored under this key of a general checkpoint (e.g. model_state_dict)")
    .option("--dedupe", "write tensors that share memory (tied weights) once instead of refusing them; the dropped names are recorded in the metadata")
    .option("--metadata <key=value>", "add a string to the safetensors __metadata__ (repeatable)", collect)
    .option("--widen-unsigned", "load safetensors U16/U32 tensors as int32/int64 (PyTorch 1.13 has no uint16/uint32)")
    .addOption(new Option("-f, --force", "overwrite OUT if it exists"))
    .addHelpText("after", "\nExamples:\n  tsorch convert model.pt model.safetensors\n  tsorch convert checkpoint.tar model.safetensors --key model_state_dict\n  tsorch convert model.safetensors model.pt")
    .action((input: string, output: string, options: { key?: string; dedupe?: boolean; metadata?: string[]; widenUnsigned?: boolean; force?: boolean }) => {
      try {
        io.out(convert(input, output, options));
        state.code = EXIT_OK;
      } catch (error) {
        fail("convert", error);
      }
    });
  return program;
}

/** Runs the command line on `argv` (without the node and script paths); resolves to the exit code. */
export async function run(argv: readonly string[], io: Output = processOutput): Promise<number> {
  const state = { code: EXIT_OK };
  const program = buildProgram(io, state);
  const output = { writeOut: io.out, writeErr: io.err, outputError: (text: string, write: (s: string) => void) => write(`tsorch: ${text}`) };
  program.configureOutput(output);
  for (const command of program.commands) command.exitOverride().configureOutput(output).showHelpAfterError("(add --help for usage)");
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return EXIT_ERROR;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT_OK;
      return EXIT_ERROR;
    }
    throw error;
  }
  return state.code;
}
