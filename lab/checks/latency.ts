// Latency percentiles of successful operations, from their due time (open loop), in ms.
import { pairOps } from "../history/history.js";
import { percentilesMs } from "./stats.js";
import type { Check } from "./types.js";

export const latency: Check = {
  name: "latency",
  units: { count: "count", p50: "ms", p90: "ms", p99: "ms", p999: "ms", max: "ms" },
  run(history) {
    const p = percentilesMs(
      (function* () {
        for (const op of pairOps(history)) if (op.type === "ok") yield op.latency;
      })(),
    );
    return { valid: true, figures: { ...p }, anomalies: [] };
  },
};
