// Availability: the share of completed operations that succeeded, overall and inside the
// fault windows. `info` (outcome unknown) does not count as a success.
import { faultWindows, pairOps } from "../history/history.js";
import type { Check } from "./types.js";

const pct = (ok: number, all: number) => (all === 0 ? null : Math.round((ok / all) * 10_000) / 100);

export const availability: Check = {
  name: "availability",
  units: { overall: "%", inFaults: "%", outsideFaults: "%", ops: "count", failed: "count", unknown: "count" },
  run(history) {
    const ops = pairOps(history);
    const windows = faultWindows(history);
    const inFault = (t: number) => windows.some((w) => t >= w.start && t <= w.end);
    let ok = 0;
    let okIn = 0;
    let allIn = 0;
    let failed = 0;
    let unknown = 0;
    for (const op of ops) {
      const good = op.type === "ok";
      if (good) ok++;
      else if (op.type === "fail") failed++;
      else unknown++;
      if (inFault(op.invokedAt)) {
        allIn++;
        if (good) okIn++;
      }
    }
    return {
      valid: true,
      figures: {
        overall: pct(ok, ops.length),
        inFaults: pct(okIn, allIn),
        outsideFaults: pct(ok - okIn, ops.length - allIn),
        ops: ops.length,
        failed,
        unknown,
      },
      anomalies: [],
    };
  },
};
