// A single-node swarm on this engine for as long as something needs one (the Swarm tests,
// bench/swarm.ts): made when the engine is in none, left again by the returned function;
// a swarm that was already there is left alone. Advertised on 127.0.0.1: nothing joins it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Plumbing } from "../docker/plumbing.js";

const run = promisify(execFile);

export async function singleNodeSwarm(plumbing: Plumbing): Promise<() => Promise<void>> {
  if ((await plumbing.swarm.state()).state === "active") return () => Promise.resolve();
  await run("docker", ["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  return async () => {
    await run("docker", ["swarm", "leave", "--force"]);
  };
}
