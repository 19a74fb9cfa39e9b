// Checks over what the runtime reported, and over which primary acknowledged what.
import { pairOps } from "../history/history.js";
import type { HistoryEntry, RuntimeEventEntry } from "../history/types.js";
import type { Anomaly, Check } from "./types.js";

function events(history: readonly HistoryEntry[]): RuntimeEventEntry[] {
  return history.filter((e): e is RuntimeEventEntry => e.type === "event");
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
    detect: "ms",
    regroup: "ms",
    takeover: "ms",
    address: "ms",
  },
  run(history) {
    const ev = events(history);
    const count = (name: string) => ev.filter((e) => e.name === name).length;
    const takeover = ev.find((e) => e.name === "pair.takeover");
    const reprotected = takeover ? ev.find((e) => e.name === "pair.reprotected" && e.time >= takeover.time) : undefined;
    const faultAt = takeover ? history.filter((e) => e.type === "fault" && e.event === "inject" && e.time <= takeover.time).at(-1)?.time : undefined;
    const since = (t: number | undefined) => (t !== undefined && faultAt !== undefined ? Math.round((t - faultAt) / 100) / 10 : null);
    // The parts of that takeover, each from the end of the one before.
    const failed = typeof takeover?.detail.from === "string" ? takeover.detail.from : undefined;
    const after = (name: string, t: number | undefined, test: (d: Record<string, unknown>) => boolean = () => true) =>
      t === undefined ? undefined : ev.find((e) => e.name === name && e.time >= t && test(e.detail))?.time;
    const detected = after("cpu.suspected", faultAt, (d) => d.peer === failed);
    const regrouped = after("view.installed", detected, (d) => !((d.view as { members?: string[] } | undefined)?.members ?? []).includes(failed ?? ""));
    const moved = after("address.moved", takeover?.time);
    const part = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? Math.round((to - from) / 100) / 10 : null);
    // Time a primary went without a live backup while a spare was in its view (the pair
    // reports it when it re-protects), and services that took over or resumed and were still
    // unprotected when the history ends: the next failure would have no takeover.
    const exposures = ev.filter((e) => e.name === "pair.reprotected").map((e) => (typeof e.detail.exposedMs === "number" ? e.detail.exposedMs : 0));
    const lastWord = new Map<string, string>();
    for (const e of ev) if (["pair.takeover", "pair.resumed", "pair.unprotected", "pair.reprotected"].includes(e.name) && typeof e.detail.service === "string") lastWord.set(e.detail.service, e.name);
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
        viewChanges: new Set(ev.filter((e) => e.name === "view.installed").map((e) => JSON.stringify((e.detail.view as { id?: number } | undefined)?.id))).size,
        // Views that removed a CPU (each counted once, however many CPUs installed it): in a
        // scenario that faults no CPU, any removal is a false one.
        removals: new Set(ev.filter((e) => e.name === "view.installed" && Array.isArray(e.detail.removed) && e.detail.removed.length > 0).map((e) => JSON.stringify((e.detail.view as { id?: number } | undefined)?.id))).size,
        planeDownReports: count("plane.down"),
        suspicions: count("cpu.suspected"),
        // A CPU that found its own timers late by a period or more: starved of time, so what
        // it could not hear meanwhile was not counted against its peers.
        stalls: count("cpu.stalled"),
        longestStall: Math.max(0, ...ev.filter((e) => e.name === "cpu.stalled").map((e) => (typeof e.detail.ms === "number" ? e.detail.ms : 0))),
        repairs: count("raid.repaired"),
        rebuilds: count("raid.rebuilt"),
        mirrorsDegraded: count("raid.degraded"),
        votedOut: count("replica.votedOut"),
        faultToTakeover: since(takeover?.time),
        faultToReprotected: since(reprotected?.time),
        detect: part(faultAt, detected),
        regroup: part(detected, regrouped),
        takeover: part(regrouped, takeover?.time),
        address: part(takeover?.time, moved),
      },
      anomalies: [],
    };
  },
};

/**
 * No split brain: writes are acknowledged with the epoch of the primary that applied them,
 * and once any write was acknowledged under epoch e, none may be acknowledged later under
 * an older epoch, which would mean an old primary still acting after a takeover. Each
 * service is its own pair with its own epochs, so each is judged on its own.
 */
export const splitBrain: Check = {
  name: "splitBrain",
  units: { acknowledged: "count", epochs: "count", stale: "count" },
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
    return { valid: stale === 0, figures: { acknowledged: acks.length, epochs: epochs.size, stale }, anomalies };
  },
};
