// The mirrored disk against silent corruption: flip bytes on one mirror while clients write
// and read back from the disk. Every record and journal line carries a CRC-32, so each bad
// copy is caught on read, served from the twin, and rewritten: reads stay correct, and the
// background verify repairs what no client happened to read.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "mirror-corrupt",
  claim: "A mirror that silently corrupts data costs nothing: every read is verified, served from the good copy, and the bad copy repaired.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "mixed", rate: 100, timeoutMs: 1000 },
  schedule: {
    timeline: [
      // 1 s of load before the fault: the gap and availability are measured against it.
      { at: "1s", inject: { kind: "disk.corrupt", mirror: "mirror-a", bytes: 32, seed: 7 }, id: "corrupt" },
      // Held 2 s: about 100 reads at this rate meet the corrupt copy, and each is repaired.
      { at: "3s", heal: "corrupt" },
    ],
  },
  // 1.5 s after the heal: reads go on over the repaired copies.
  duration: "4.5s",
  // 1 s at 100 writes/s is 100 operations: the 99% hypothesis then allows one failure.
  steadyState: { duration: "1s" },
  checks: ["availability", "latency", "readsCorrect", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.repairs >= 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
