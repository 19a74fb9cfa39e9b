// Starts shared things once for the integration project: connects to the real engine,
// builds the images (a no-op when warm) and hands their tags to tests with `provide`.
// Teardown reaps every lab a test or scenario created, crashed or not.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { configFromEnv } from "../../lab/config.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { ensureConfiguredImages, type ImageSet } from "../../lab/images/build.js";

declare module "vitest" {
  export interface ProvidedContext {
    images: ImageSet;
  }
}

/**
 * Labs made by tests ("t-"), scenario runs ("scn-") and the benchmarks' smoke runs
 * ("bench-"); a user's own labs are left alone.
 */
export const TEST_LAB_PREFIXES = ["t-", "scn-", "bench-"];

async function reapTestLabs(plumbing: Plumbing): Promise<void> {
  for (const lab of await plumbing.labs()) if (TEST_LAB_PREFIXES.some((p) => lab.startsWith(p))) await reap(plumbing, lab);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = configFromEnv();
  // Tests that spawn `nonstop` run the compiled CLI in dist/: build it from the source
  // under test first (incremental, about a second when warm), so it is never stale.
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: config.rootDir, stdio: "inherit" });
  const docker = await connectEngine({ host: config.dockerHost });
  const plumbing = new Plumbing(docker);
  await reapTestLabs(plumbing);
  const { images } = await ensureConfiguredImages(docker, config, (l) => process.stderr.write(`images │ ${l}\n`));
  project.provide("images", images);
  return async () => {
    await reapTestLabs(plumbing);
  };
}
