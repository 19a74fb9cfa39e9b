// Checks over what the runtime reported, and over which primary acknowledged what.
import { pairOps } from "../history/history.js";
import type { HistoryEntry, RuntimeEventEntry } from "../history/types.js";
import type { Anomaly, Check } from "./types.js";
import { spanMs } from "./stats.js";
import type { RuntimeEventBody, RuntimeEventType } from "../../runtime/agent/api.js";

/** A runtime event as the agent raised it (runtime/agent/api.ts), with when and where. */
type Ev = RuntimeEventBody & { at: number; cpu: string };
type EvOf<T extends RuntimeEventType> = Extract<Ev, { type: T }>;

function events(history: readonly HistoryEntry[]): Ev[] {
  // The run begins at its first phase. The agents' logs reach back to their boot, which was
  // the bring-up's: CPUs that start a moment apart (a Swarm's tasks do) install a view
  // without the last one and then one with it, which is not the machine answering a fault.
  const begun = history.find((e) => e.type === "phase")?.time ?? -Infinity;
  // The history keeps an event as the agent sent it: its type as `name` and the rest as
  // `detail`, both from the agent's own union. This is the one place that trusts that.
  return history.filter((e): e is RuntimeEventEntry => e.type === "event" && e.time >= begun).map((e) => ({ ...e.detail, type: e.name, at: e.time, cpu: e.cpu }) as Ev);
}

function ofType<T extends RuntimeEventType>(ev: readonly Ev[], type: T): EvOf<T>[] {
  return ev.filter((e): e is EvOf<T> => e.type === type);
}

/**
 * Counts of the runtime's actions, and the first takeover's timeline split into its parts:
 * detect (fault to first suspicion), regroup (to the view without the CPU), takeover (to
 * the backup becoming primary) and address (to the service address answering on it).
 */
export const runtime: Check = {
  name: "runtime",
  units: {
    takeovers: "count",
    recoveries: "count",
    reprotections: "count",
    unprotectedMs: "ms",
    longestUnprotected: "ms",
    unprotectedAtEnd: "count",
    fenced: "count",
    viewChanges: "count",
    removals: "count",
    planeDownReports: "count",
    suspicions: "count",
    stalls: "count",
    longestStall: "ms",
    repairs: "count",
    rebuilds: "count",
    mirrorsDegraded: "count",
    votedOut: "count",
    faultToTakeover: "ms",
    faultToReprotected: "ms",
    protectedAgain: "ms",
    detect: "ms",
    regroup: "ms",
    takeover: "ms",
    address: "ms",
  },
  run(history) {
    const ev = events(history);
    const count = (type: RuntimeEventType) => ev.filter((e) => e.type === type).length;
    const takeover = ofType(ev, "pair.takeover")[0];
    const reprotected = takeover ? ofType(ev, "pair.reprotected").find((e) => e.at >= takeover.at) : undefined;
    const faultAt = takeover ? history.filter((e) => e.type === "fault" && e.event === "inject" && e.time <= takeover.at).at(-1)?.time : undefined;
    const since = (t: number | undefined) => (t !== undefined && faultAt !== undefined ? spanMs(faultAt, t) : null);
    // The parts of that takeover, each from the end of the one before.
    const failed = takeover?.from;
    const after = <T extends RuntimeEventType>(type: T, t: number | undefined, test: (e: EvOf<T>) => boolean = () => true) =>
      t === undefined ? undefined : ofType(ev, type).find((e) => e.at >= t && test(e))?.at;
    const detected = after("cpu.suspected", faultAt, (e) => e.peer === failed);
    const regrouped = after("view.installed", detected, (e) => !e.view.members.includes(failed ?? ""));
    const moved = after("address.moved", takeover?.at);
    const part = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? spanMs(from, to) : null);
    // Time a primary went without a live backup while a spare was in its view (the pair
    // reports it when it re-protects), and services that took over or resumed and were still
    // unprotected when the history ends: the next failure would have no takeover.
    const exposures = ofType(ev, "pair.reprotected").map((e) => e.exposedMs);
    const lastWord = new Map<string, string>();
    for (const e of ev) if (e.type === "pair.takeover" || e.type === "pair.resumed" || e.type === "pair.unprotected" || e.type === "pair.reprotected") lastWord.set(e.service, e.type);
    const installed = ofType(ev, "view.installed");
    return {
      valid: true,
      figures: {
        takeovers: count("pair.takeover"),
        recoveries: count("pair.recovered"),
        reprotections: count("pair.reprotected"),
        unprotectedMs: exposures.reduce((a, x) => a + x, 0),
        longestUnprotected: Math.max(0, ...exposures),
        unprotectedAtEnd: [...lastWord.values()].filter((w) => w !== "pair.reprotected").length,
        fenced: count("pair.fenced"),
        // Every CPU reports each view it installs; count views, not reports.
        viewChanges: new Set(installed.map((e) => e.view.id)).size,
        // Views that removed a CPU (each counted once, however many CPUs installed it): in a
        // scenario that faults no CPU, any removal is a false one.
        removals: new Set(installed.filter((e) => e.removed.length > 0).map((e) => e.view.id)).size,
        planeDownReports: count("plane.down"),
        suspicions: count("cpu.suspected"),
        // A CPU that found its own timers late by a period or more: starved of time, so what
        // it could not hear meanwhile was not counted against its peers.
        stalls: count("cpu.stalled"),
        longestStall: Math.max(0, ...ofType(ev, "cpu.stalled").map((e) => e.ms)),
        repairs: count("raid.repaired"),
        rebuilds: count("raid.rebuilt"),
        mirrorsDegraded: count("raid.degraded"),
        votedOut: count("replica.votedOut"),
        faultToTakeover: since(takeover?.at),
        faultToReprotected: since(reprotected?.at),
        protectedAgain: protectedAgain(ev, history),
        detect: part(faultAt, detected),
        regroup: part(detected, regrouped),
        takeover: part(regrouped, takeover?.at),
        address: part(takeover?.at, moved),
      },
      anomalies: [],
    };
  },
};

/** What leaves the machine exposed to a second failure, and what ends it: per service, per mirror of each CPU's driver. */
const OPENS: Partial<Record<RuntimeEventType, true>> = { "pair.takeover": true, "pair.resumed": true, "pair.unprotected": true, "pair.backup-lost": true, "raid.degraded": true, "raid.replaced": true };
const CLOSES: Partial<Record<RuntimeEventType, true>> = { "pair.reprotected": true, "raid.restored": true, "raid.rebuilt": true };

/**
 * The repair time of the run's first fault (its MTTR): from the fault to the moment the
 * machine was fully protected again, every pair it left without a backup re-protected and
 * every mirror it took out back in sync, ms. 0 when it exposed nothing; null when
 * something was still exposed when the history ended, or no fault was injected.
 */
function protectedAgain(ev: readonly Ev[], history: readonly HistoryEntry[]): number | null {
  const fault = history.find((e) => e.type === "fault" && e.event === "inject")?.time;
  if (fault === undefined) return null;
  const open = new Set<string>();
  let last = fault;
  for (const e of ev) {
    if (e.at < fault) continue;
    const what = "service" in e ? `pair ${e.service}` : "mirror" in e ? `mirror ${e.cpu} ${e.mirror}` : undefined;
    if (what === undefined) continue;
    if (OPENS[e.type]) open.add(what);
    else if (CLOSES[e.type] && open.delete(what)) last = e.at;
  }
  return open.size > 0 ? null : spanMs(fault, last);
}

/**
 * No split brain, from the evidence a run has. The Tandem machine acknowledges writes with
 * the epoch of the primary that applied them: once any write was acknowledged under epoch
 * e, none may be acknowledged later under an older epoch, which would mean an old primary
 * still acting after a takeover (each service its own pair, judged on its own). A user's
 * system is sampled instead (ProbeEntry): two containers of one probe group answering
 * "primary" in the same round is a split brain, however the writes went.
 */
export const splitBrain: Check = {
  name: "splitBrain",
  units: { acknowledged: "count", epochs: "count", stale: "count", probeRounds: "count", splitRounds: "count", longestSplitMs: "ms", handovers: "count" },
  run(history) {
    const acks = pairOps(history)
      .filter((o) => o.type === "ok" && typeof (o.result as { epoch?: unknown } | undefined)?.epoch === "number")
      .sort((a, b) => a.completedAt - b.completedAt);
    const newest = new Map<string, { epoch: number; by: string }>();
    const anomalies: Anomaly[] = [];
    const epochs = new Set<string>();
    let stale = 0;
    for (const o of acks) {
      const service = o.service ?? "";
      const epoch = (o.result as { epoch: number }).epoch;
      epochs.add(`${service}/${epoch}`);
      const n = newest.get(service) ?? { epoch: 0, by: "" };
      if (epoch < n.epoch) {
        stale++;
        if (anomalies.length < 20) anomalies.push({ message: `${o.node ?? "?"} acknowledged a ${service ? `${service} ` : ""}write under epoch ${epoch} after ${n.by} had under epoch ${n.epoch}`, at: o.completedAt });
      } else if (epoch > n.epoch) newest.set(service, { epoch, by: o.node ?? "?" });
    }
    const split = splitRounds(history);
    for (const r of split.rounds.slice(0, Math.max(0, 20 - anomalies.length))) anomalies.push({ message: `${r.group}: ${r.primaries.join(" and ")} were primary at once`, at: r.at });
    const figures = { acknowledged: acks.length, epochs: epochs.size, stale, probeRounds: split.total, splitRounds: split.rounds.length, longestSplitMs: split.longestMs, handovers: split.handovers };
    return { valid: stale === 0 && split.rounds.length === 0, figures, anomalies };
  },
};

/** The probe rounds in which a group had more than one primary, and the longest run of them. */
/**
 * The probe rounds with two primaries of one group at once, the longest such split, and
 * the handovers: rounds whose one primary is another container than the last round with
 * one primary. A failover that really happened is a handover; writes that resume only
 * because the old primary came back are none (Patroni's "another member became leader").
 */
export function splitRounds(history: readonly HistoryEntry[]): { total: number; rounds: { group: string; round: number; at: number; primaries: string[] }[]; longestMs: number; handovers: number } {
  const byRound = new Map<string, { group: string; round: number; at: number; primaries: string[] }>();
  for (const e of history) {
    if (e.type !== "probe") continue;
    const key = `${e.group}/${e.round}`;
    const r = byRound.get(key) ?? { group: e.group, round: e.round, at: e.time, primaries: [] };
    if (e.primary === true) r.primaries.push(e.target);
    byRound.set(key, r);
  }
  const rounds = [...byRound.values()].filter((r) => r.primaries.length > 1).sort((a, b) => a.at - b.at);
  // A split lasts from its first round to the first round after it without one.
  let longest = 0;
  const all = [...byRound.values()].sort((a, b) => a.at - b.at);
  let since: number | undefined;
  for (const r of all) {
    if (r.primaries.length > 1) since ??= r.at;
    else if (since !== undefined) {
      longest = Math.max(longest, r.at - since);
      since = undefined;
    }
  }
  if (since !== undefined) longest = Math.max(longest, (all[all.length - 1]?.at ?? since) - since);
  let handovers = 0;
  const sole = new Map<string, string>();
  for (const r of all) {
    const [only] = r.primaries;
    if (r.primaries.length !== 1 || only === undefined) continue;
    const before = sole.get(r.group);
    if (before !== undefined && before !== only) handovers++;
    sole.set(r.group, only);
  }
  return { total: byRound.size, rounds, longestMs: Math.round(longest / 1000), handovers };
}
