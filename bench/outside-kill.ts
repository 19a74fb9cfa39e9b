// A kill as a user measures it from outside, for both kinds of client at once: a fresh
// web-only lab each run (`nonstop up`, the lab's defaults), two clients in this process
// writing unique keys at `--rate`/s each through the published edge port, one opening a
// new connection per request (as curl, a browser's first request or a health check does)
// and one on a keep-alive agent of 64 sockets, each with a 2 s timeout; `docker kill` of
// the CPU that /whoami names at 3 s; afterwards every acknowledged key read back.
//
// The figure is the longest silence: the longest interval between two successive
// successful completions around the kill, which is what a user waits for. Beside it, the
// longest single wait of a request issued after the kill (a request held by a lost SYN
// shows there, not in the silence), the requests that failed, and what was lost. Over the
// runs, the growth check compares the last five labs with the first five.
// Prints JSON; never fails on speed.
import { execFile } from "node:child_process";
import { Agent, request } from "node:http";
import { promisify } from "node:util";
import { numberFromArgv, printFigures, runsFromArgv, summarize, type Summary } from "./figures.js";

const run = promisify(execFile);
const runs = runsFromArgv(20);
const rate = numberFromArgv("--rate", 200);
const killAtMs = 3000;
const afterMs = numberFromArgv("--seconds", 5) * 1000;
const TIMEOUT_MS = 2000;
const cli = async (...args: string[]) => (await run(process.execPath, ["bin/nonstop.js", ...args], { maxBuffer: 16 * 2 ** 20 })).stdout;

const KINDS = { newConnection: false, keepAlive: true } as const;
type Kind = keyof typeof KINDS;

interface Done {
  issued: number;
  ended: number;
  ok: boolean;
  key: string;
}

function call(url: string, method: "GET" | "POST", agent: Agent | false): Promise<{ ok: boolean; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method, agent, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ ok: res.statusCode === 200, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", () => resolve({ ok: false, body: "" }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ ok: false, body: "" }));
    req.end();
  });
}

/** The longest interval between two successive successful completions. */
function longestSilence(done: Done[]): { ms: number; from: number } {
  const ends = done.filter((d) => d.ok).map((d) => d.ended).sort((a, b) => a - b);
  let best = { ms: 0, from: 0 };
  for (let i = 1; i < ends.length; i++) {
    const a = ends[i - 1] ?? 0;
    const gap = (ends[i] ?? 0) - a;
    if (gap > best.ms) best = { ms: gap, from: a };
  }
  return best;
}

interface RunFigures {
  silenceMs: number;
  silenceStartsAfterKillMs: number;
  longestWaitMs: number;
  failed: number;
  lost: number;
  acknowledged: number;
}

/** One lab: both clients write, the primary's CPU is killed, the acknowledged keys are read back. */
async function oneRun(r: number): Promise<Record<Kind, RunFigures>> {
  const lab = `bench-outside-${r}`;
  try {
    await cli("up", "--lab", lab, "--json");
    const status = JSON.parse(await cli("status", "--lab", lab, "--json")) as { services: { url?: string }[] };
    const url = status.services[0]?.url;
    if (!url) throw new Error("no web service URL");
    const who = await call(`${url}/whoami`, "GET", false);
    const primary = (JSON.parse(who.body) as { cpu?: string }).cpu;
    if (!who.ok || !primary) throw new Error(`/whoami answered ${who.body.slice(0, 80)}`);
    const agents: Record<Kind, Agent | false> = { newConnection: false, keepAlive: new Agent({ keepAlive: true, maxSockets: 64 }) };
    const t0 = Date.now();
    const killAt = t0 + killAtMs;
    const writes: Record<Kind, Promise<Done>[]> = { newConnection: [], keepAlive: [] };
    let killed = false;
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > killAt + afterMs) break;
      await new Promise((res) => setTimeout(res, Math.max(0, due - Date.now())));
      if (!killed && Date.now() >= killAt) {
        killed = true;
        void run("docker", ["kill", `nonstop-${lab}-${primary}`]).catch(() => undefined);
      }
      for (const kind of Object.keys(KINDS) as Kind[]) {
        const key = `o${r}-${kind}-${i}`;
        const issued = Date.now();
        writes[kind].push(call(`${url}/add?v=${key}`, "POST", agents[kind]).then((res) => ({ issued, ended: Date.now(), ok: res.ok, key })));
      }
    }
    // Read back only once every write has settled: one acknowledged after the read would count as lost.
    const settled = Object.fromEntries(await Promise.all((Object.keys(KINDS) as Kind[]).map(async (k) => [k, await Promise.all(writes[k])] as const))) as Record<Kind, Done[]>;
    const all = await call(`${url}/all`, "GET", false);
    const items = new Set(all.ok ? (JSON.parse(all.body) as { items: string[] }).items : []);
    const out = {} as Record<Kind, RunFigures>;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      const done = settled[kind];
      const silence = longestSilence(done);
      const afterKill = done.filter((d) => d.ok && d.issued >= killAt);
      const acked = done.filter((d) => d.ok);
      out[kind] = {
        silenceMs: silence.ms,
        silenceStartsAfterKillMs: silence.from - killAt,
        longestWaitMs: Math.max(0, ...afterKill.map((d) => d.ended - d.issued)),
        failed: done.filter((d) => !d.ok).length,
        // An unreadable /all counts every acknowledged write as lost: it must never pass for none.
        lost: acked.filter((d) => !items.has(d.key)).length,
        acknowledged: acked.length,
      };
    }
    const agent = agents.keepAlive;
    if (agent) agent.destroy();
    return out;
  } finally {
    await cli("down", "--lab", lab).catch(() => "");
  }
}

const perRun: Record<Kind, RunFigures[]> = { newConnection: [], keepAlive: [] };
for (let r = 1; r <= runs; r++) {
  const figures = await oneRun(r);
  for (const kind of Object.keys(KINDS) as Kind[]) perRun[kind].push(figures[kind]);
  process.stderr.write(`outside-kill ${r}/${runs}: ${JSON.stringify(figures)}\n`);
}

/** The last five runs' median silence against the first five's: a lab that carries something over to the next grows. */
function growth(silences: number[]): { firstFive: Summary; lastFive: Summary; ratio: number | null } | null {
  if (silences.length < 10) return null;
  const first = summarize(silences.slice(0, 5), "ms");
  const last = summarize(silences.slice(-5), "ms");
  return { firstFive: first, lastFive: last, ratio: first.median > 0 ? Math.round((last.median / first.median) * 100) / 100 : null };
}

printFigures("outside-kill", {
  runs,
  ratePerClient: rate,
  windowAfterKillMs: afterMs,
  ...Object.fromEntries(
    (Object.keys(KINDS) as Kind[]).map((kind) => {
      const rs = perRun[kind];
      return [
        kind,
        {
          longestSilence: summarize(rs.map((x) => x.silenceMs), "ms"),
          longestWait: summarize(rs.map((x) => x.longestWaitMs), "ms"),
          failed: summarize(rs.map((x) => x.failed), "count"),
          lost: rs.reduce((n, x) => n + x.lost, 0),
          acknowledged: rs.reduce((n, x) => n + x.acknowledged, 0),
          silences: rs.map((x) => x.silenceMs),
          growth: growth(rs.map((x) => x.silenceMs)),
        },
      ];
    }),
  ),
  note: "longestSilence: the longest interval between two successive successful completions around the kill, per lab. longestWait: the slowest successful request issued after the kill. growth: median of the last five labs against the first five (ratio > 1: slower). See docs/performance.md, 'Failover for every client'.",
});
