// A mirror replaced by a blank disk under load: the driver notices the disk lacks the
// mirror marker, rebuilds it from its twin in the background, file by file under each
// file's lock, while clients keep writing and reading back from the disk.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "mirror-wipe",
  claim: "A wiped (replaced) mirror is rebuilt from its twin while the service keeps serving, and no read or write suffers.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "mixed", rate: 100, timeoutMs: 1000 },
  schedule: {
    timeline: [
      { at: "2s", inject: { kind: "disk.wipe", mirror: "mirror-b" }, id: "wipe" },
      { at: "6s", heal: "wipe" },
    ],
  },
  duration: "8s",
  checks: ["availability", "latency", "readsCorrect", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.rebuilds >= 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
