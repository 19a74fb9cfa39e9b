// The router's cost and its toxics' accuracy, in one run on one lab: request latency to the
// web service's agent directly (its 127.0.0.1 port) against through router-edge with no
// toxics, and through router-edge with a 100 ms latency toxic. Prints JSON.
import { configFromEnv } from "../lab/config.js";
import { connectEngine } from "../lab/docker/engine.js";
import { Plumbing } from "../lab/docker/plumbing.js";
import { reap } from "../lab/docker/reap.js";
import { ensureConfiguredImages } from "../lab/images/build.js";
import { up } from "../lab/machine/up.js";
import { Router } from "../lab/router/router.js";
import { resolveTopology } from "../lab/topology/resolve.js";
import { httpGet } from "../lab/util/http.js";
import { printFigures, runsFromArgv, summarize } from "./figures.js";

const n = runsFromArgv(200);
const config = configFromEnv();
const docker = await connectEngine({ host: config.dockerHost });
const plumbing = new Plumbing(docker);
const { images } = await ensureConfiguredImages(docker, config);
const lab = "bench-router";

async function sample(url: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await httpGet(url)).ms);
  return out;
}

try {
  const s = await up({ plumbing, images, topology: resolveTopology({ cpus: 2 }, lab), progress: () => undefined });
  const viaRouter = `${s.services[0]?.url}/health`;
  const direct = `${s.cpus.find((c) => c.name === s.services[0]?.primary)?.agentUrl}/health`;
  const edge = new Router(s.routers.find((r) => r.name === "router-edge")?.apiUrl ?? "");
  await sample(direct, 20);
  await sample(viaRouter, 20);
  // Interleave the two paths so drift on a busy machine hits both alike.
  const d: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    d.push(...(await sample(direct, 1)));
    r.push(...(await sample(viaRouter, 1)));
  }
  const t: number[] = [];
  {
    await using _latency = await edge.addToxic("web", { type: "latency", latencyMs: 100 });
    t.push(...(await sample(viaRouter, Math.min(n, 50))));
  }
  const direct50 = summarize(d, "ms");
  const router50 = summarize(r, "ms");
  const toxic = summarize(t, "ms");
  printFigures("router", {
    direct: direct50,
    throughRouter: router50,
    routerOverheadP50Us: Math.round((router50.median - direct50.median) * 1000),
    latencyToxic100ms: toxic,
    latencyToxicAddedMs: Math.round((toxic.median - router50.median) * 10) / 10,
    note: "fresh TCP connection per request; both paths cross docker-proxy on 127.0.0.1",
  });
} finally {
  await reap(plumbing, lab);
}
