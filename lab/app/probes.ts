// Who holds the primary role in a user's system, asked of every container every 100 ms and
// recorded in the history (ProbeEntry): the probe timeline that splitBrain, the report and
// the console read. A scenario says how to ask, per group of containers:
//   exec:  a command run in the container (docker exec); primary when its output matches;
//   http:  a GET of a published port from 127.0.0.1; primary when the body matches;
//   redis: ROLE over a kept connection to the published port (node-redis); primary when master;
//   postgres: SELECT pg_is_in_recovery() likewise (pg); primary when false.
// The two built-in ones keep their connections, so sampling at 10 Hz costs a round trip,
// not a process per container as exec does.
// A container that does not answer in time counts as neither (null), which is what a
// paused or partitioned one looks like from outside.
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import type { Plumbing } from "../docker/plumbing.js";
import { within } from "../util/within.js";
import { Connections, type Dialect } from "./clients/primary.js";
import { pgDialect } from "./clients/postgres.js";
import { redisDialect } from "./clients/redis.js";
import { select, type AppContainer, type AppSnapshot } from "./system.js";

const port = z.number().int().min(1).max(65535);
const timeoutMs = z.number().int().min(10).max(5000).optional();
export const ProbeSpec = z.union([
  z.object({ targets: z.string().min(1), exec: z.array(z.string()).min(1), match: z.string().min(1), timeoutMs }).strict(),
  z.object({ targets: z.string().min(1), http: z.object({ port, path: z.string().startsWith("/") }).strict(), match: z.string().min(1), timeoutMs }).strict(),
  z.object({ targets: z.string().min(1), redis: z.object({ port: port.default(6379) }).strict(), timeoutMs }).strict(),
  z
    .object({
      targets: z.string().min(1),
      postgres: z.object({ port: port.default(5432), user: z.string().min(1).default("postgres"), password: z.string().optional(), database: z.string().min(1).default("postgres") }).strict(),
      timeoutMs,
    })
    .strict(),
]);
export type ProbeSpec = z.infer<typeof ProbeSpec>;

export interface ProbeSamplerOptions {
  plumbing: Plumbing;
  recorder: HistoryRecorder;
  snapshot: () => Promise<AppSnapshot>;
  probes: Record<string, ProbeSpec>;
  everyMs?: number;
}

type Matched = Extract<ProbeSpec, { match: string }>;
type BuiltIn = Exclude<ProbeSpec, Matched>;

/** Each probe's match, compiled once: a sampler asks every container ten times a second. */
const matchers = new WeakMap<ProbeSpec, RegExp>();
function matcher(p: Matched): RegExp {
  let re = matchers.get(p);
  if (!re) {
    re = new RegExp(p.match);
    matchers.set(p, re);
  }
  return re;
}

/** The container port a probe reaches through the host's published port, if it reaches one. */
function probedPort(p: ProbeSpec): number | undefined {
  return "http" in p ? p.http.port : "redis" in p ? p.redis.port : "postgres" in p ? p.postgres.port : undefined;
}

/** The kept connections of the built-in probes, one set per probe group. */
class BuiltInProbes {
  private readonly sets = new Map<BuiltIn, Connections<unknown>>();

  of(p: BuiltIn): Connections<unknown> {
    let set = this.sets.get(p);
    if (!set) {
      const dialect = ("redis" in p ? redisDialect : pgDialect({ user: p.postgres.user, password: p.postgres.password, database: p.postgres.database })) as Dialect<unknown>;
      set = new Connections(dialect, p.timeoutMs ?? 500);
      this.sets.set(p, set);
    }
    return set;
  }

  close(): void {
    for (const s of this.sets.values()) s.close();
  }
}

async function ask(plumbing: Plumbing, builtIn: BuiltInProbes, c: AppContainer, p: ProbeSpec, atLeastMs = 0): Promise<boolean | null> {
  const timeout = Math.max(p.timeoutMs ?? 500, atLeastMs);
  if (c.container.state !== "running") return null;
  if (!("match" in p)) {
    const hostPort = c.container.ports.find((x) => x.container === probedPort(p))?.hostPort;
    return hostPort ? builtIn.of(p).role(hostPort, timeout) : null;
  }
  const re = matcher(p);
  if ("exec" in p) {
    const r = await within(plumbing.container.exec(c.container.id, p.exec), timeout, "exec").catch(() => undefined);
    return r && r.exitCode === 0 ? re.test(r.stdout) : null;
  }
  const port = c.container.ports.find((x) => x.container === p.http.port)?.hostPort;
  if (!port) return null;
  try {
    const res = await fetch(`http://127.0.0.1:${port}${p.http.path}`, { signal: AbortSignal.timeout(timeout) });
    return res.ok ? re.test(await res.text()) : null;
  } catch {
    return null;
  }
}

/** Samples every probed container each round until disposed; a round is never started while the last is still out. */
export class ProbeSampler implements AsyncDisposable {
  private timer: NodeJS.Timeout | undefined;
  private round = 0;
  private busy: Promise<void> | undefined;
  private stopped = false;
  /** How long each round took, ms: the probes' own cost (bench/app.ts). */
  readonly roundMs: number[] = [];
  private readonly builtIn = new BuiltInProbes();
  /** Each group's last answer per target: who is primary now (for `primary:<group>` faults). */
  private readonly last = new Map<string, Map<string, boolean | null>>();

  constructor(private readonly o: ProbeSamplerOptions) {}

  /** Checks that every probe names containers that exist and can answer; a probe that never answers is a usage error. */
  async check(field = "probes"): Promise<void> {
    const snap = await this.o.snapshot();
    for (const [group, p] of Object.entries(this.o.probes)) {
      const cs = select(snap, `${field}.${group}.targets`, p.targets);
      const port = probedPort(p);
      if (port !== undefined) {
        const how = "http" in p ? "http" : "redis" in p ? "redis" : "postgres";
        const unpublished = cs.find((c) => !c.container.ports.some((x) => x.container === port));
        if (unpublished) throw new UsageError(`${field}.${group}.${how}.port: ${unpublished.target} does not publish port ${port} on 127.0.0.1 (the host reaches containers only there)`);
      }
      // A first answer may take a connection's set-up: a longer wait than a sample's.
      const answers = await Promise.all(cs.map((c) => ask(this.o.plumbing, this.builtIn, c, p, 2000)));
      if (answers.every((a) => a === null)) throw new UsageError(`${field}.${group}: no container of ${p.targets} answers the probe`);
    }
  }

  /** The targets of a group whose last answer was primary, in target order. */
  primaries(group: string): string[] {
    return [...(this.last.get(group) ?? new Map<string, boolean | null>())].filter(([, p]) => p === true).map(([t]) => t).sort();
  }

  start(): this {
    const every = this.o.everyMs ?? 100;
    // Rounds start every `every` ms; one that runs longer delays the next, never overlaps it.
    const tick = () => {
      if (this.stopped) return;
      const started = performance.now();
      this.busy = this.sample().finally(() => {
        this.busy = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, Math.max(0, every - (performance.now() - started)));
      });
    };
    tick();
    return this;
  }

  private async sample(): Promise<void> {
    const t0 = performance.now();
    const round = ++this.round;
    const snap = await this.o.snapshot();
    const at = this.o.recorder.now();
    await Promise.all(
      Object.entries(this.o.probes).flatMap(([group, p]) => {
        let cs: AppContainer[];
        try {
          cs = select(snap, "probe", p.targets, { running: false });
        } catch {
          return [];
        }
        return cs.map(async (c) => {
          const primary = await ask(this.o.plumbing, this.builtIn, c, p);
          let answers = this.last.get(group);
          if (!answers) this.last.set(group, (answers = new Map<string, boolean | null>()));
          answers.set(c.target, primary);
          this.o.recorder.add({ type: "probe", group, target: c.target, round, primary }, at);
        });
      }),
    );
    this.roundMs.push(performance.now() - t0);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
    this.builtIn.close();
  }
}
