// The router's cost and its toxics' accuracy, in one run on one lab: request latency to the
// web service's agent directly (its 127.0.0.1 port) against through router-edge with no
// toxics, and through router-edge with a 100 ms latency toxic; then throughput on both paths
// (autocannon, keep-alive). Prints JSON.
import { Router } from "../lab/router/router.js";
import { httpGet } from "../lab/util/http.js";
import autocannon from "autocannon";
import { printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab, benchMachine } from "./lab.js";

const n = runsFromArgv(200);
const { plumbing, images } = await benchLab();
const machine = await benchMachine({ plumbing, images }, { cpus: 2 }, "bench-router");

async function sample(url: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await httpGet(url)).ms);
  return out;
}

try {
  const s = await machine.lab.status({ live: true });
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
  // Throughput: autocannon on keep-alive connections, each path in turn, same duration.
  const seconds = n >= 100 ? 3 : 1;
  const rps = async (url: string) => Math.round((await autocannon({ url, connections: 10, duration: seconds })).requests.average);
  const directRps = await rps(direct);
  const routerRps = await rps(viaRouter);
  const direct50 = summarize(d, "ms");
  const router50 = summarize(r, "ms");
  const toxic = summarize(t, "ms");
  printFigures("router", {
    direct: direct50,
    throughRouter: router50,
    routerOverheadP50Us: Math.round((router50.median - direct50.median) * 1000),
    latencyToxic100ms: toxic,
    latencyToxicAddedMs: Math.round((toxic.median - router50.median) * 10) / 10,
    throughput: { directReqPerSec: directRps, throughRouterReqPerSec: routerRps, routerShare: Math.round((routerRps / Math.max(1, directRps)) * 100) / 100, connections: 10, seconds },
    note: "fresh TCP connection per request; both paths cross docker-proxy on 127.0.0.1",
  });
} finally {
  await machine.release();
}
