// A partition on both planes cuts the primary's CPU off from the other three. The majority
// side regroups and takes over; the isolated CPU, in a minority, must stop serving writes
// and give up the service address, so there is never a second primary.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "partition-primary",
  claim: "Partitioned off, the primary's CPU is a minority and stops; the majority continues without it.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "add", rate: 100, timeoutMs: 1000 },
  schedule: {
    timeline: [
      {
        // 1 s of load before the fault: the gap and availability are measured against it.
        at: "1s",
        inject: { kind: "partition", grudge: { "cpu-0": ["cpu-1", "cpu-2", "cpu-3"], "cpu-1": ["cpu-0"], "cpu-2": ["cpu-0"], "cpu-3": ["cpu-0"] } },
        id: "split",
      },
      // Held 2 s: the majority's takeover and the minority's fencing take well under one.
      { at: "3s", heal: "split" },
    ],
  },
  // 1.5 s after the heal: cpu-0 rejoins as a spare, and a stale answer from it would show.
  duration: "4.5s",
  // 1 s at 100 writes/s is 100 operations: the 99% hypothesis then allows one failure.
  steadyState: { duration: "1s" },
  checks: ["availability", "failoverGap", "lostWrites", "duplicates", "splitBrain", "runtime"],
  thresholds: ["runtime.takeovers >= 1", "runtime.fenced >= 1", "splitBrain.stale == 0", "failoverGap.p99 <= 3s"],
});
