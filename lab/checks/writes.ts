// Lost acknowledged writes and duplicates. Writes are ops with f "write" or "add"; the
// truth is the last successful "read-all", whose value lists what the system holds. A
// write whose outcome is unknown (info) may or may not be there: it is never counted lost.
import { pairOps } from "../history/history.js";
import type { Anomaly, Check } from "./types.js";

function finalRead(history: Parameters<Check["run"]>[0]): unknown[] | undefined {
  const reads = pairOps(history).filter((o) => o.f === "read-all" && o.type === "ok");
  const last = reads[reads.length - 1];
  return Array.isArray(last?.result) ? last.result : undefined;
}

const key = (v: unknown) => JSON.stringify(v);

export const lostWrites: Check = {
  name: "lostWrites",
  units: { acknowledged: "count", lost: "count", unknown: "count" },
  run(history) {
    const ops = pairOps(history).filter((o) => o.f === "write" || o.f === "add");
    const held = finalRead(history);
    if (!held) return { valid: false, figures: { acknowledged: null, lost: null, unknown: null }, anomalies: [{ message: "no successful final read-all: cannot tell what survived" }] };
    const present = new Set(held.map(key));
    const acked = ops.filter((o) => o.type === "ok");
    const lost = acked.filter((o) => !present.has(key(o.value)));
    return {
      valid: lost.length === 0,
      figures: { acknowledged: acked.length, lost: lost.length, unknown: ops.filter((o) => o.type === "info").length },
      anomalies: lost.slice(0, 20).map((o) => ({ message: `acknowledged write ${key(o.value)} is missing from the final read`, at: o.completedAt })),
    };
  },
};

export const duplicates: Check = {
  name: "duplicates",
  units: { values: "count", duplicated: "count" },
  run(history) {
    const held = finalRead(history);
    if (!held) return { valid: false, figures: { values: null, duplicated: null }, anomalies: [{ message: "no successful final read-all: cannot look for duplicates" }] };
    const counts = new Map<string, number>();
    for (const v of held) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
    const dup = [...counts].filter(([, n]) => n > 1);
    const anomalies: Anomaly[] = dup.slice(0, 20).map(([v, n]) => ({ message: `${v} is held ${n} times: done more than once` }));
    return { valid: dup.length === 0, figures: { values: held.length, duplicated: dup.length }, anomalies };
  },
};
