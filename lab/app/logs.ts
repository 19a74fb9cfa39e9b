// What a user's system says of itself while it is broken: the log lines of named events,
// followed from chosen containers and recorded in the history (LogEntry) on its clock.
// A scenario names them per group of containers:
//   logs:
//     sentinel:
//       targets: sentinel1,sentinel2,sentinel3
//       events: { tryFailover: '\+try-failover', notElected: '-failover-abort-not-elected' }
// The `logs` check (../checks/logs.ts) counts each event, so a threshold can say which of
// a rule's cases the system took by its own account (`logs.notElected == 0`), and the
// report lists the lines beside the figures they explain.
// A container's log is followed from the start of the run until the container stops: a
// container killed and started again is not followed again.
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { z } from "zod";
import { UsageError, errorMessage } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import type { Plumbing } from "../docker/plumbing.js";
import { formatZodError } from "../topology/resolve.js";
import { select, type AppSnapshot } from "./system.js";

/** An event's name: it becomes a figure of the `logs` check, written `logs.<name>` in a threshold. */
const EVENT_NAME = "an event name is a lowercase letter, then letters and digits (it becomes the figure logs.<name>)";
const EventName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, EVENT_NAME);

export const LogSpec = z
  .object({
    targets: z.string().min(1).describe("the containers whose logs are followed: sentinel1,sentinel2 or sentinel.*"),
    events: z.record(EventName, z.string().min(1)).describe("event name → a regular expression a log line matches"),
  })
  .strict();
export type LogSpec = z.infer<typeof LogSpec>;

export interface ResolvedLogs {
  groups: Record<string, { targets: string; events: { name: string; re: RegExp }[] }>;
  /** Every event's name, in the order written: the `logs` check's figures. */
  names: string[];
}

/** Checks the scenario's `logs` against the declared project: targets that exist, patterns that compile, no event named twice. */
export function resolveLogs(raw: Record<string, unknown> | undefined, snap: AppSnapshot, at: (path: string) => string): ResolvedLogs {
  const groups: ResolvedLogs["groups"] = {};
  const names: string[] = [];
  for (const [group, l] of Object.entries(raw ?? {})) {
    // Names first: zod reports a bad record key without saying what a key may be.
    const given = typeof l === "object" && l !== null && "events" in l && typeof l.events === "object" && l.events !== null ? Object.keys(l.events) : [];
    const bad = given.find((n) => !EventName.safeParse(n).success);
    if (bad !== undefined) throw new UsageError(at(`logs.${group}.events.${bad}: ${EVENT_NAME}`));
    const r = LogSpec.safeParse(l);
    if (!r.success) throw new UsageError(formatZodError(at(`logs.${group}`), r.error));
    select(snap, at(`logs.${group}.targets`), r.data.targets);
    const events = Object.entries(r.data.events).map(([name, pattern]) => {
      if (names.includes(name)) throw new UsageError(at(`logs.${group}.events.${name}: the event ${name} is named in another group too; each event needs its own name (it is the figure logs.${name})`));
      names.push(name);
      try {
        return { name, re: new RegExp(pattern) };
      } catch (err) {
        throw new UsageError(at(`logs.${group}.events.${name}: '${pattern}' is not a regular expression: ${errorMessage(err)}`));
      }
    });
    if (events.length === 0) throw new UsageError(at(`logs.${group}.events: name at least one event, e.g. { switched: '\\+switch-master' }`));
    groups[group] = { targets: r.data.targets, events };
  }
  return { groups, names };
}

/** Follows the logs of every container a group names, from now until disposed, recording each matching line. */
export class LogFollower implements AsyncDisposable {
  private readonly stop = new AbortController();
  private readonly following: Promise<void>[] = [];

  constructor(
    private readonly plumbing: Plumbing,
    private readonly recorder: HistoryRecorder,
  ) {}

  /** Starts following; resolves once every log is streaming, so nothing logged after it is missed. */
  async start(logs: ResolvedLogs, snap: AppSnapshot): Promise<this> {
    const attached: Promise<void>[] = [];
    for (const [group, g] of Object.entries(logs.groups)) {
      for (const c of select(snap, `logs.${group}.targets`, g.targets)) {
        const lines = new PassThrough();
        const record = (line: string) => {
          for (const e of g.events) if (e.re.test(line)) this.recorder.add({ type: "log", group, target: c.target, event: e.name, line });
        };
        createInterface({ input: lines }).on("line", record);
        // stdout and stderr into one line stream: a system logs its events on either.
        // tail 0: only what is logged from now on, the run's own account.
        let resolve = () => {};
        attached.push(new Promise<void>((r) => (resolve = r)));
        this.following.push(
          this.plumbing.container
            .followLogs(c.container.id, lines, lines, { tail: 0, signal: this.stop.signal, attached: resolve })
            // A container gone before its log could be read has nothing more to say.
            .catch(() => undefined)
            .finally(() => {
              resolve();
              lines.end();
            }),
        );
      }
    }
    await Promise.all(attached);
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop.abort();
    await Promise.all(this.following);
  }
}
