// CLI start-up: the wall time of whole `nonstop` commands, each a fresh Node process, as a
// user's shell or CI step pays it. `--help` loads no Docker client at all; `faults` loads
// it and asks the engine once (for a lab that is not up, so it needs none). The compiled
// CLI in dist/ is what runs; `npm run build` first if the source changed. Prints JSON.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../lab/config.js";
import { printFigures, runsFromArgv, since, summarize } from "./figures.js";

const run = promisify(execFile);
const runs = runsFromArgv(10);
const bin = `${PROJECT_ROOT}/bin/nonstop.js`;

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(process.execPath, [bin, ...args], { cwd: PROJECT_ROOT });
  return since(t0);
}

const commands: Record<string, string[]> = {
  help: ["--help"],
  faultsHelp: ["faults", "--help"],
  faults: ["faults", "--lab", "bench-cli-none"],
};
const figures: Record<string, unknown> = {};
for (const [name, args] of Object.entries(commands)) {
  await timed(args); // one unmeasured run warms the page cache
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await timed(args));
  figures[name] = summarize(ms, "ms");
}
printFigures("cli", figures);
