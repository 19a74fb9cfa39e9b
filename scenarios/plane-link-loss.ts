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
      { at: "2s", inject: { kind: "node.isolate", cpu: "cpu-0", planes: ["x"] }, id: "cable" },
      { at: "6s", heal: "cable" },
    ],
  },
  duration: "8s",
  checks: ["availability", "latency", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.takeovers == 0", "runtime.removals == 0", "lostWrites.lost == 0"],
});
