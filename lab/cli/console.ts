// `nonstop console`: serve the live console for a running lab until Ctrl-C, which heals
// whatever the console broke.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { readSystem } from "../app/system.js";
import { machineStatus } from "../machine/status.js";
import { startConsole } from "../console/server.js";
import { onInterrupt } from "../util/interrupt.js";

export async function consoleCommand(config: LabConfig, flags: { lab: string; port: number }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  // A Compose project's lab has a record; the machine's is up when its parts are.
  const up = (await readSystem(plumbing, flags.lab)) !== undefined || (await machineStatus(plumbing, flags.lab)).up;
  if (!up) throw new LabError(`lab ${flags.lab} is not up: start it with 'npx nonstop up --lab ${flags.lab}' (or 'npx nonstop up --compose FILE')`);
  const c = await startConsole({ plumbing, lab: flags.lab, rootDir: config.rootDir, port: flags.port });
  console.log(`console for lab ${flags.lab}: ${c.url}#token=${c.token}`);
  console.log(`  viewing needs no token: ${c.url}`);
  console.log(`  control token: ${c.token}  (bound to 127.0.0.1; Ctrl-C stops it and heals what it broke)`);
  // Returns once closed; the CLI then exits 0 (a console stopped by Ctrl-C did its job).
  await new Promise<void>((resolve) => {
    onInterrupt(() => c.close().finally(resolve), { what: "stopping the console and healing what it broke", exit: false });
  });
}
