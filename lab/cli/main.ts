// The `nonstop` command: a thin commander layer over the lab's programmatic API. Errors a
// user can act on print as one line with their exit code; nothing here calls process.exit.
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { configFromEnv } from "../config.js";
import { isLabId } from "../docker/labels.js";
import { LabError, UsageError } from "../errors.js";
import { imagesCommand } from "./images.js";
import { reapCommand } from "./reap.js";

const config = configFromEnv();

function labId(value: string): string {
  if (!isLabId(value)) throw new InvalidArgumentError("lab id: lowercase letters, digits and '-', at most 31, starting with a letter or digit");
  return value;
}

const program = new Command()
  .name("nonstop")
  .description("A containerized chaos-testing lab: Tandem's fault-tolerant server, rebuilt from Docker containers and broken on purpose.")
  .showHelpAfterError("(run 'nonstop --help' for usage)")
  .exitOverride();

program
  .command("images")
  .description("build the lab's images (base, cpu, router); a warm build is a no-op")
  .option("--force", "rebuild even when up to date")
  .option("--json", "print the result as JSON")
  .action((opts: { force?: boolean; json?: boolean }) => imagesCommand(config, opts));

program
  .command("reap")
  .description("remove every labelled Docker resource of a lab (or of all labs with --all)")
  .option("--lab <id>", "lab id", labId)
  .option("--all", "every lab")
  .action((opts: { lab?: string; all?: boolean }) => reapCommand(config, opts));

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message; help and --version exit 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof LabError) {
      process.stderr.write(`nonstop: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

export { UsageError };
await main(process.argv);
