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
      // 1 s of load before the fault: the gap and availability are measured against it.
      { at: "1s", inject: { kind: "disk.wipe", mirror: "mirror-b" }, id: "wipe" },
      // Held 2 s: the wipe is seen at the next write and the rebuild from the twin starts at once.
      { at: "3s", heal: "wipe" },
    ],
  },
  // 1.5 s after the heal: the rebuild has finished under load.
  duration: "4.5s",
  // 1 s at 100 writes/s is 100 operations: the 99% hypothesis then allows one failure.
  steadyState: { duration: "1s" },
  checks: ["availability", "latency", "readsCorrect", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.rebuilds >= 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
