// A kill as a user measures it from outside, for both kinds of client: a fresh web-only
// lab each run (`nonstop up`, the lab's defaults), a client in this process writing
// unique keys at `--rate`/s through the published edge port, either opening a new
// connection per request (as curl, a browser's first request or a health check does) or
// on a keep-alive agent of 64 sockets, with a 2 s timeout; `docker kill` of the CPU that
// /whoami names at 3 s; afterwards every acknowledged key read back. The kinds take turns
// lab by lab, `--runs` kills each; `--together` runs both clients on every kill, and
// `--detectors ended,silence` compares the failure detectors on one run.
//
// The figure is the longest silence: the longest interval between two successive
// successful completions around the kill, which is what a user waits for. Beside it, the
// longest single wait of a request issued after the kill (a request held by a lost SYN
// shows there, not in the silence), the requests that failed, and what was lost. Over the
// runs, the growth check compares the last five labs with the first five. Each lab's
// survivors' own events give the timeline inside the silence: when the dead CPU was
// suspected (and whether by its ended links), the view without it, the takeover, the
// address moved, and the new primary's first acknowledged write.
// Prints JSON; never fails on speed.
import { execFile } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { numberFromArgv, printFigures, runsFromArgv, summarize, type Summary } from "./figures.js";

const run = promisify(execFile);
const runs = runsFromArgv(20);
const rate = numberFromArgv("--rate", 200);
const killAtMs = 3000;
const afterMs = numberFromArgv("--seconds", 5) * 1000;
const TIMEOUT_MS = 2000;
const cli = async (...args: string[]) => (await run(process.execPath, ["bin/nonstop.js", ...args], { maxBuffer: 16 * 2 ** 20 })).stdout;

const KINDS = ["newConnection", "keepAlive"] as const;
type Kind = (typeof KINDS)[number];

/** The steps of a takeover, as the runtime's events name them, in the order they happen. */
const STEPS = { suspected: "cpu.suspected", viewInstalled: "view.installed", takeover: "pair.takeover", addressMoved: "address.moved", serving: "pair.serving" } as const;
type Step = keyof typeof STEPS;

interface RuntimeEvent {
  time: number;
  type: string;
  detail?: { peer?: string; removed?: string[]; linksEnded?: boolean; epochMs?: number };
}

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

/**
 * Each step's first occurrence on any survivor, in ms after `from` (the silence's start):
 * the events are stamped from the same host clock as this process's.
 */
async function timeline(lab: string, dead: string, from: number): Promise<{ ms: Partial<Record<Step, number>>; linksEnded: boolean | null; epochMs: number | null }> {
  const status = JSON.parse(await cli("status", "--lab", lab, "--json")) as { cpus?: { name: string }[] };
  const events: RuntimeEvent[] = [];
  for (const cpu of (status.cpus ?? []).map((c) => c.name).filter((c) => c !== dead)) {
    const { stdout, stderr } = await run("docker", ["logs", `nonstop-${lab}-${cpu}`], { maxBuffer: 64 * 2 ** 20 }).catch(() => ({ stdout: "", stderr: "" }));
    for (const line of `${stdout}\n${stderr}`.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        events.push(JSON.parse(line) as RuntimeEvent);
      } catch {
        // not an event line
      }
    }
  }
  const about = (e: RuntimeEvent) => (e.type === "cpu.suspected" ? e.detail?.peer === dead : e.type === "view.installed" ? (e.detail?.removed ?? []).includes(dead) : true);
  const first = Object.fromEntries(
    (Object.entries(STEPS) as [Step, string][]).map(([step, type]) => [step, events.filter((e) => e.type === type && e.time >= from - 1000 && about(e)).sort((a, b) => a.time - b.time)[0]]),
  ) as Partial<Record<Step, RuntimeEvent>>;
  const ms: Partial<Record<Step, number>> = {};
  for (const [step, e] of Object.entries(first) as [Step, RuntimeEvent | undefined][]) if (e) ms[step] = e.time - from;
  return { ms, linksEnded: first.suspected?.detail?.linksEnded ?? null, epochMs: first.takeover?.detail?.epochMs ?? null };
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
async function oneRun(r: number, kinds: readonly Kind[], detector: Detector): Promise<{ kinds: Partial<Record<Kind, RunFigures>>; steps: Awaited<ReturnType<typeof timeline>> }> {
  const lab = `bench-outside-${r}`;
  try {
    await cli("up", "--lab", lab, "--json", ...(detector === "silence" ? ["--topology", silenceOnly()] : []));
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
      for (const kind of kinds) {
        const key = `o${r}-${kind}-${i}`;
        const issued = Date.now();
        writes[kind].push(call(`${url}/add?v=${key}`, "POST", agents[kind]).then((res) => ({ issued, ended: Date.now(), ok: res.ok, key })));
      }
    }
    // Read back only once every write has settled: one acknowledged after the read would count as lost.
    const settled = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await Promise.all(writes[k])] as const))) as Partial<Record<Kind, Done[]>>;
    const all = await call(`${url}/all`, "GET", false);
    const items = new Set(all.ok ? (JSON.parse(all.body) as { items: string[] }).items : []);
    const out: Partial<Record<Kind, RunFigures>> = {};
    for (const kind of kinds) {
      const done = settled[kind] ?? [];
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
    const steps = await timeline(lab, primary, longestSilence(settled[kinds[0] ?? "newConnection"] ?? []).from);
    return { kinds: out, steps };
  } finally {
    await cli("down", "--lab", lab).catch(() => "");
  }
}

/**
 * Which failure detector the labs run (`--detectors ended,silence` takes turns between
 * them, lab by lab, so that the two are compared on one run of one host): the default,
 * which also reads a peer's ended links, or heartbeats' silence alone.
 */
const DETECTORS = ["ended", "silence"] as const;
type Detector = (typeof DETECTORS)[number];
const detectors = ((): readonly Detector[] => {
  const i = process.argv.indexOf("--detectors");
  if (i < 0) return ["ended"];
  const named = (process.argv[i + 1] ?? "").split(",");
  const bad = named.find((d) => !(DETECTORS as readonly string[]).includes(d));
  if (bad !== undefined || named.length === 0) {
    process.stderr.write(`--detectors: unknown detector '${bad ?? ""}'; allowed: ${DETECTORS.join(", ")}\n`);
    process.exit(2);
  }
  return named as Detector[];
})();
let silenceFile: string | undefined;
/** A topology file for the lab's default machine with the ended-links rule off. */
function silenceOnly(): string {
  if (!silenceFile) {
    silenceFile = join(mkdtempSync(join(tmpdir(), "outside-kill-")), "silence.json");
    writeFileSync(silenceFile, JSON.stringify({ heartbeat: { endedLinks: false } }));
  }
  return silenceFile;
}

// Alone (the default), each lab has one client at the full rate, the kinds taking turns lab
// by lab, so that each kind gets `runs` kills under the load the figure is quoted for;
// `--together` puts both clients on every kill, twice the load on the same two cores.
const together = process.argv.includes("--together");
const perDetector = together ? 1 : KINDS.length;
const labs = runs * perDetector * detectors.length;
type Figures = { perRun: Record<Kind, RunFigures[]>; stepsPerRun: Awaited<ReturnType<typeof timeline>>[] };
const byDetector = new Map<Detector, Figures>(detectors.map((d) => [d, { perRun: { newConnection: [], keepAlive: [] }, stepsPerRun: [] }]));
for (let r = 1; r <= labs; r++) {
  // The detectors take turns kill by kill, the kinds within each detector's turns.
  const detector = detectors[(r - 1) % detectors.length] ?? "ended";
  const turn = Math.floor((r - 1) / detectors.length);
  const { kinds, steps } = await oneRun(r, together ? KINDS : [KINDS[turn % KINDS.length] ?? "newConnection"], detector);
  const into = byDetector.get(detector);
  for (const kind of KINDS) {
    const f = kinds[kind];
    if (f) into?.perRun[kind].push(f);
  }
  into?.stepsPerRun.push(steps);
  process.stderr.write(`outside-kill ${r}/${labs} (${detector}): ${JSON.stringify({ ...kinds, steps })}\n`);
}

/** The last five runs' median silence against the first five's: a lab that carries something over to the next grows. */
function growth(silences: number[]): { firstFive: Summary; lastFive: Summary; ratio: number | null } | null {
  if (silences.length < 10) return null;
  const first = summarize(silences.slice(0, 5), "ms");
  const last = summarize(silences.slice(-5), "ms");
  return { firstFive: first, lastFive: last, ratio: first.median > 0 ? Math.round((last.median / first.median) * 100) / 100 : null };
}

/** One detector's figures: each client kind's silences, and the takeover's timeline. */
function figuresOf({ perRun, stepsPerRun }: Figures) {
  return {
    ...Object.fromEntries(
      KINDS.map((kind) => {
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
    afterSilenceStarts: Object.fromEntries(
      (Object.keys(STEPS) as Step[]).map((step) => [step, summarize(stepsPerRun.flatMap((x) => (x.ms[step] === undefined ? [] : [x.ms[step]])), "ms")]),
    ),
    suspectedByEndedLinks: stepsPerRun.filter((x) => x.linksEnded === true).length,
    epochToBothMirrors: summarize(stepsPerRun.flatMap((x) => (x.epochMs === null ? [] : [x.epochMs])), "ms"),
  };
}

const only = detectors.length === 1 ? byDetector.get(detectors[0] ?? "ended") : undefined;
printFigures("outside-kill", {
  runs,
  clients: together ? "together: both kinds on every kill" : "alone: one kind a lab, taking turns",
  ratePerClient: rate,
  windowAfterKillMs: afterMs,
  // One detector: its figures at the top level, as before; several: one block each.
  ...(only ? figuresOf(only) : { detectors: Object.fromEntries([...byDetector].map(([d, f]) => [d, figuresOf(f)])) }),
  note: "longestSilence: the longest interval between two successive successful completions around the kill, per lab. longestWait: the slowest successful request issued after the kill. growth: median of the last five labs against the first five (ratio > 1: slower). afterSilenceStarts: each takeover step's first event on a survivor, ms after the lab's client's last success before its silence (the first kind's, under --together); suspectedByEndedLinks: the labs whose first suspicion came from the dead CPU's ended links rather than the silence limit. epochToBothMirrors: the takeover's fencing write, the new epoch synced on both mirrors. See docs/performance.md, 'Failover for every client'.",
});
