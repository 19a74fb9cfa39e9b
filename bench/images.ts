// Image build time: warm (a no-op: every content-hash tag exists) and, with --cold, from
// no lab images at all (the Go build cache and apt cache stay, as on a machine that built
// something once). Prints JSON; never fails on speed.
import { configFromEnv } from "../lab/config.js";
import { connectEngine } from "../lab/docker/engine.js";
import { ensureConfiguredImages } from "../lab/images/build.js";
import { printFigures, runsFromArgv, since, summarize } from "./figures.js";

const runs = runsFromArgv(5);
const cold = process.argv.includes("--cold");
const config = configFromEnv();
const docker = await connectEngine({ host: config.dockerHost });
const build = () => ensureConfiguredImages(docker, config);

const figures: Record<string, unknown> = {};
if (cold) {
  for (const img of await docker.listImages()) {
    if ((img.RepoTags ?? []).some((t) => t.startsWith("nonstop-lab/"))) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
  }
  const t0 = performance.now();
  const r = await build();
  figures.coldBuild = { ms: Math.round(since(t0)), built: r.built, bases: r.bases };
}
// Bring everything up to date first (the code may have changed since the last build), so
// the loop below times only true no-op builds.
if (!cold) await build();
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await build();
  if (r.built.length > 0) throw new Error(`a warm build rebuilt ${r.built.join(", ")}`);
  warm.push(since(t0));
}
figures.warmBuild = summarize(warm, "ms");
printFigures("images", figures);
