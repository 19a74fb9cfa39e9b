// `nonstop console`: serve the live console for a running lab until Ctrl-C, which heals
// whatever the console broke.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import { machineStatus } from "../machine/status.js";
import { startConsole } from "../console/server.js";

export async function consoleCommand(config: LabConfig, flags: { lab: string; port: number }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const s = await machineStatus(plumbing, flags.lab);
  if (!s.up) throw new LabError(`lab ${flags.lab} is not up: start it with 'npx nonstop up --lab ${flags.lab}'`);
  const c = await startConsole({ plumbing, lab: flags.lab, rootDir: config.rootDir, port: flags.port });
  console.log(`console for lab ${flags.lab}: ${c.url}#token=${c.token}`);
  console.log(`  viewing needs no token: ${c.url}`);
  console.log(`  control token: ${c.token}  (bound to 127.0.0.1; Ctrl-C stops it and heals what it broke)`);
  await new Promise<void>((resolve) => {
    const stop = () => void c.close().finally(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
