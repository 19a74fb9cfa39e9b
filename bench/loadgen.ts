// The load generator's sustained open-loop rate with every operation recorded, from one
// process. The target is a minimal HTTP server in a child process on 127.0.0.1, so the
// figure is the generator's own. For each offered rate: the completed rate, whether every
// operation was recorded (invoke and completion), and how late operations were issued.
import { fork } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HistoryRecorder } from "../lab/history/recorder.js";
import { pairOps } from "../lab/history/history.js";
import { HttpClient } from "../lab/workload/http-client.js";
import { OpenLoop } from "../lab/workload/open-loop.js";
import autocannon from "autocannon";
import { printFigures } from "./figures.js";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 5;
const rates = (process.argv.includes("--rates") ? (process.argv[process.argv.indexOf("--rates") + 1] ?? "") : "1000,5000,8000").split(",").map(Number);

const serverFile = join(mkdtempSync(join(tmpdir(), "nonstop-bench-")), "server.mjs");
writeFileSync(
  serverFile,
  `import { createServer } from "node:http";
const s = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"cpu":"bench"}'); });
s.keepAliveTimeout = 60000;
s.listen(0, "127.0.0.1", () => process.send({ port: s.address().port }));`,
);
const server = fork(serverFile, [], { stdio: "ignore" });
const port = await new Promise<number>((resolve) => server.once("message", (m: { port: number }) => resolve(m.port)));

const results = [];
let autocannonFigures: Record<string, number> | undefined;
try {
  for (const rate of rates) {
    const rec = new HistoryRecorder();
    const client = new HttpClient({
      baseUrl: () => `http://127.0.0.1:${port}`,
      request: () => ({ method: "GET", path: "/" }),
      parse: () => ({ node: "bench" }),
      timeoutMs: 2000,
    });
    const load = new OpenLoop(client, rec, { rate, op: () => ({ f: "get" }), maxInFlight: 2000 }).start();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await load.stop();
    await client.close();
    const ops = pairOps(rec.entries);
    const invokes = rec.entries.filter((e) => e.type === "invoke").length;
    const okOps = ops.filter((o) => o.type === "ok").length;
    results.push({
      offeredPerSec: rate,
      completedPerSec: Math.round(ops.length / seconds),
      okPerSec: Math.round(okOps / seconds),
      issued: load.stats.issued,
      recordedFraction: invokes === 0 ? 0 : Math.round((ops.filter((o) => !o.error || o.error !== "no completion").length / invokes) * 10000) / 10000,
      failed: load.stats.failed + load.stats.unknown,
      meanIssueLagMs: Math.round(load.stats.lagSumUs / Math.max(1, load.stats.issued) / 10) / 100,
      maxIssueLagMs: Math.round(load.stats.maxLagUs / 10) / 100,
    });
  }
  // autocannon against the same endpoint, in the same run: the well-known yardstick. It is
  // closed loop (each connection sends its next request when the last one is answered), so
  // it measures the most the endpoint and client can do, not a schedule kept.
  const ac = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 50, duration: seconds });
  autocannonFigures = { connections: 50, requestsPerSec: Math.round(ac.requests.average), latencyP50Ms: ac.latency.p50, latencyP99Ms: ac.latency.p99, errors: ac.errors + ac.timeouts, non2xx: ac.non2xx };
} finally {
  server.kill();
}
const sustained = results.filter((r) => r.recordedFraction === 1 && r.failed === 0 && r.completedPerSec >= r.offeredPerSec * 0.98).map((r) => r.offeredPerSec);
printFigures("loadgen", {
  secondsPerRate: seconds,
  target: "minimal HTTP server, child process, 127.0.0.1, keep-alive",
  rates: results,
  sustainedOpenLoopPerSec: sustained.length ? Math.max(...sustained) : null,
  autocannon: autocannonFigures,
});
