// Checks on what reads returned: reads served from the RAID (which a corrupt or blank
// mirror must not spoil), and answers of the voted compute service (which a divergent
// replica must not spoil).
import { pairOps } from "../history/history.js";
import { compute } from "../../runtime/voting/compute.js";
import type { Anomaly, Check } from "./types.js";

/**
 * Every successful disk read holds every write acknowledged before the read began, and
 * nothing that no client ever wrote (bytes a corrupt mirror would make up).
 */
export const readsCorrect: Check = {
  name: "readsCorrect",
  units: { reads: "count", stale: "count", foreign: "count" },
  run(history) {
    const ops = pairOps(history);
    const attempted = new Set(ops.filter((o) => o.f === "add").map((o) => String(o.value)));
    const acks = ops.filter((o) => o.f === "add" && o.type === "ok").sort((a, b) => a.completedAt - b.completedAt);
    const reads = ops.filter((o) => o.f === "disk-read" && o.type === "ok" && Array.isArray(o.result));
    const anomalies: Anomaly[] = [];
    let stale = 0;
    let foreign = 0;
    for (const r of reads) {
      const held = new Set((r.result as unknown[]).map(String));
      const missing = acks.filter((a) => a.completedAt < r.invokedAt && !held.has(String(a.value)));
      const madeUp = [...held].filter((v) => !attempted.has(v));
      if (missing.length > 0) {
        stale++;
        if (anomalies.length < 20) anomalies.push({ message: `a disk read lacks ${missing.length} acknowledged write(s), e.g. ${String(missing[0]?.value)}`, at: r.completedAt });
      }
      if (madeUp.length > 0) {
        foreign++;
        if (anomalies.length < 20) anomalies.push({ message: `a disk read returned ${madeUp.length} value(s) no client wrote, e.g. ${JSON.stringify(madeUp[0])}`, at: r.completedAt });
      }
    }
    return { valid: reads.length > 0 && anomalies.length === 0, figures: { reads: reads.length, stale, foreign }, anomalies: reads.length ? anomalies : [{ message: "no successful disk read to judge" }] };
  },
};

/** No client ever received a wrong answer from the voted compute service. */
export const rightAnswers: Check = {
  name: "rightAnswers",
  units: { answers: "count", wrong: "count" },
  run(history) {
    const answers = pairOps(history).filter((o) => o.f === "compute" && o.type === "ok");
    const wrong = answers.filter((o) => o.result !== compute(Number(o.value)));
    return {
      valid: answers.length > 0 && wrong.length === 0,
      figures: { answers: answers.length, wrong: wrong.length },
      anomalies: answers.length
        ? wrong.slice(0, 20).map((o) => ({ message: `compute(${String(o.value)}) answered ${JSON.stringify(o.result)}, should be ${compute(Number(o.value))}`, at: o.completedAt }))
        : [{ message: "no compute answer to judge" }],
    };
  },
};
