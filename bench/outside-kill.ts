// A kill as a user measures it from outside: a fresh web-only lab each run (`nonstop up`),
// writes at 200/s from this process with a new connection per request through the edge,
// `docker kill` of the primary's CPU at 3 s, and what the writes issued in the 10 s after
// the kill came to. A run that never recovers shows as writes failing to the end.
// Prints JSON; never fails on speed.
import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { numberFromArgv, printFigures, runsFromArgv, summarize } from "./figures.js";

const run = promisify(execFile);
const runs = runsFromArgv(6);
const rate = numberFromArgv("--rate", 200);
const afterS = numberFromArgv("--seconds", 10);
const cli = async (...args: string[]) => (await run(process.execPath, ["bin/nonstop.js", ...args], { maxBuffer: 16 * 2 ** 20 })).stdout;

/** One write; resolves true on a 200 within the second. */
function write(url: string, v: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/add?v=${v}`, { method: "POST", agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

const failed: number[] = [];
const outage: number[] = [];
let unrecovered = 0;
for (let r = 1; r <= runs; r++) {
  const lab = `bench-outside-${r}`;
  try {
    await cli("up", "--lab", lab, "--json");
    const status = JSON.parse(await cli("status", "--lab", lab, "--json")) as { services: { url?: string; primary: string }[] };
    const svc = status.services[0];
    if (!svc?.url) throw new Error("no web service URL");
    const t0 = Date.now();
    const killAt = t0 + 3000;
    let killed = false;
    const after: Promise<{ at: number; ok: boolean }>[] = [];
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > killAt + afterS * 1000) break;
      await new Promise((res) => setTimeout(res, Math.max(0, due - Date.now())));
      if (!killed && Date.now() >= killAt) {
        killed = true;
        void run("docker", ["kill", `nonstop-${lab}-${svc.primary}`]).catch(() => undefined);
      }
      const p = write(svc.url, `o${r}-${i}`).then((ok) => ({ at: due, ok }));
      if (killed) after.push(p);
    }
    const done = await Promise.all(after);
    const bad = done.filter((d) => !d.ok);
    failed.push(bad.length);
    // Issue time of the last failure after the kill: the outage as the client saw it.
    outage.push(bad.length ? Math.max(...bad.map((d) => d.at)) - killAt : 0);
    if (done.slice(-rate).some((d) => !d.ok)) unrecovered++;
  } finally {
    await cli("down", "--lab", lab).catch(() => "");
  }
}
printFigures("outside-kill", {
  runs,
  rate,
  windowS: afterS,
  failedAfterKill: summarize(failed, "count"),
  lastFailureAfterKill: summarize(outage, "ms"),
  // Runs with a failure in the window's last second: the service had not come back.
  unrecovered,
});
