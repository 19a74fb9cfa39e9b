// One CPU loses one plane: its cable to ServerNet X is pulled (`docker network disconnect`
// of the primary's CPU from plane x), while every other link stays up. The paper's second
// plane exists to mask exactly this: heartbeats and checkpoints carry on over Y, nobody is
// declared down, and no client notices.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "plane-link-loss",
  claim: "A CPU that loses its link to one plane is still heard over the other: no takeover, no CPU removed, and not one operation fails.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "add", rate: 100, timeoutMs: 1000 },
  schedule: {
    timeline: [
      // 1 s of load before the fault: the gap and availability are measured against it.
      { at: "1s", inject: { kind: "node.isolate", cpu: "cpu-0", planes: ["x"] }, id: "cable" },
      // Held 2 s: many heartbeat periods (50 ms) with one plane's link gone.
      { at: "3s", heal: "cable" },
    ],
  },
  // 1.5 s after the heal: the link's return is inside the judged run.
  duration: "4.5s",
  // 1 s at 100 writes/s is 100 operations: the 99% hypothesis then allows one failure.
  steadyState: { duration: "1s" },
  checks: ["availability", "latency", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.takeovers == 0", "runtime.removals == 0", "lostWrites.lost == 0"],
});
