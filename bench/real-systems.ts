// Side by side, in one run: the same fault (a kill of the primary's container, --runs
// times, each aimed at whoever is primary by then) under the same load (20 writes a second,
// appends where the system stores them) against the lab's own process pair and the three
// real HA systems of examples/. Per side: the client-seen failover gap of every kill (from
// the kill to the first success after it: median, p99, min, max), acknowledged writes
// lost, and whether the probes ever saw two primaries at once. Each side runs as an
// ordinary scenario, so its report (history, timeline, JUnit) is in reports/bench/real-systems/.
// Timers are each system's tuned ones from its CI scenario (printed with the figures):
// the point is what each design does with its detection time, not whose default is longer.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AppScenarioSpec } from "../lab/app/scenario.js";
import { faultGaps } from "../lab/checks/failover-gap.js";
import { PROJECT_ROOT } from "../lab/config.js";
import type { HistoryEntry } from "../lab/history/types.js";
import type { ScenarioSpec } from "../lab/scenario/define.js";
import type { ScenarioResult } from "../lab/scenario/result.js";
import { runScenario } from "../lab/scenario/run.js";
import { listFromArgv, printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab } from "./lab.js";

const kills = runsFromArgv(10);
const sides = listFromArgv("--sides", ["pair", "redis", "patroni", "keepalived"]);
const { plumbing, images } = await benchLab();

/** A timeline of `kills` kills, `periodS` apart, each healed (restarted) `healS` later. */
function killings<F>(fault: F, periodS: number, healS: number): ({ at: string; inject: F; id: string } | { at: string; heal: string })[] {
  return Array.from({ length: kills }, (_, i) => [
    { at: `${2 + i * periodS}s`, inject: fault, id: `kill-${i + 1}` },
    { at: `${2 + i * periodS + healS}s`, heal: `kill-${i + 1}` },
  ]).flat();
}
const lasting = (periodS: number) => `${2 + kills * periodS}s`;
const example = (system: string) => join(PROJECT_ROOT, "examples", system, "docker-compose.yml");

const append = (client: "redis" | "postgres", targets: string) => ({ client, targets, workload: "append" as const, rate: 20, timeoutMs: 1000, ...(client === "postgres" ? { password: "postgres" } : {}) });

// Periods: the kill, the failover, the restart and the system settled again (a restarted
// Redis without persistence is a second, empty primary until Sentinel's next check).
const SIDES: Record<string, { settings: Record<string, string>; spec: () => ScenarioSpec | AppScenarioSpec }> = {
  pair: {
    settings: { heartbeat: "the lab's default (50 ms, 3 missed)" },
    spec: () => ({
      name: "side-pair",
      claim: "the process pair under repeated kills of its primary's CPU",
      topology: { cpus: 4 },
      workload: { client: "http", service: "web", ops: "add", rate: 20, timeoutMs: 1000 },
      schedule: { timeline: killings({ kind: "cpu.kill", cpu: "primary:web" }, 8, 4) },
      duration: lasting(8),
      checks: ["failoverGap"],
      observe: ["lostWrites", "splitBrain"],
      thresholds: [],
    }),
  },
  redis: {
    settings: { "down-after-milliseconds": "1000", "failover-timeout": "3000", replication: "asynchronous" },
    spec: () => ({
      name: "side-redis",
      claim: "Redis with Sentinel under repeated kills of its primary",
      system: { compose: example("redis-sentinel"), env: { DOWN_AFTER_MS: "1000", FAILOVER_TIMEOUT_MS: "3000" } },
      workload: append("redis", "redis1,redis2,redis3"),
      probes: { redis: { targets: "redis1,redis2,redis3", redis: { port: 6379 } } },
      schedule: { timeline: killings({ kind: "container.kill", target: "primary:redis" }, 28, 10) },
      duration: lasting(28),
      checks: ["failoverGap"],
      observe: ["lostWrites", "splitBrain"],
      thresholds: [],
    }),
  },
  patroni: {
    settings: { ttl: "8", loop_wait: "1", retry_timeout: "3", synchronous_mode: "true" },
    spec: () => ({
      name: "side-patroni",
      claim: "Patroni under repeated kills of its leader",
      system: { compose: example("patroni"), env: { SYNCHRONOUS_MODE: "true", TTL: "8", LOOP_WAIT: "1", RETRY_TIMEOUT: "3" } },
      workload: append("postgres", "pg1,pg2,pg3"),
      probes: { postgres: { targets: "pg1,pg2,pg3", postgres: { port: 5432, password: "postgres" } } },
      schedule: { timeline: killings({ kind: "container.kill", target: "primary:postgres" }, 28, 12) },
      duration: lasting(28),
      checks: ["failoverGap"],
      observe: ["lostWrites", "splitBrain"],
      thresholds: [],
    }),
  },
  keepalived: {
    settings: { vrrp_version: "3", advert_int: "0.1", workload: "GET / through the virtual address (HAProxy stores nothing)" },
    spec: () => ({
      name: "side-keepalived",
      claim: "keepalived with HAProxy under repeated kills of its master",
      system: { compose: example("keepalived"), env: { VRRP_VERSION: "3", ADVERT_INT: "0.1" } },
      workload: { client: "http", target: "entry", port: 8080, method: "GET", path: "/", rate: 20, timeoutMs: 1000 },
      probes: { vrrp: { targets: "lb1,lb2", http: { port: 8404, path: "/vrrp" }, match: "MASTER" } },
      schedule: { timeline: killings({ kind: "container.kill", target: "primary:vrrp" }, 8, 4) },
      duration: lasting(8),
      checks: ["failoverGap"],
      observe: ["splitBrain"],
      thresholds: [],
    }),
  },
};

const figure = (r: ScenarioResult, check: string, name: string) => r.checks.find((c) => c.name === check)?.figures[name] ?? null;

const out: Record<string, unknown> = {};
for (const side of sides) {
  const def = SIDES[side];
  if (!def) throw new Error(`--sides: unknown side '${side}'; allowed: ${Object.keys(SIDES).join(", ")}`);
  const dir = join(PROJECT_ROOT, "reports", "bench", "real-systems", side);
  const r = await runScenario(def.spec(), { plumbing, images, reportDir: dir });
  const history = (await readFile(join(dir, "history.jsonl"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEntry);
  const gaps = faultGaps(history);
  const known = gaps.flatMap((g) => (g.gapMs === null ? [] : [g.gapMs]));
  out[side] = {
    settings: def.settings,
    kills: gaps.length,
    unrecovered: gaps.length - known.length,
    gap: summarize(known, "ms"),
    acknowledged: figure(r, "lostWrites", "acknowledged"),
    lost: figure(r, "lostWrites", "lost"),
    splitRounds: figure(r, "splitBrain", "splitRounds"),
    longestSplitMs: figure(r, "splitBrain", "longestSplitMs"),
    status: r.status,
  };
  process.stderr.write(`${side}: ${JSON.stringify(out[side])}\n`);
}
// Ratios within this run: each system's p99 gap over the pair's.
const p99 = (s: string) => ((out[s] as { gap?: { p99: number } } | undefined)?.gap?.p99 ?? NaN);
const ratios = Object.fromEntries(sides.filter((s) => s !== "pair" && sides.includes("pair")).map((s) => [`${s}OverPairP99`, Math.round((p99(s) / p99("pair")) * 10) / 10]));
printFigures("real-systems", { kills, sides: out, ratios });
