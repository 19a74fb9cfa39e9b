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
      { at: "2s", inject: { kind: "disk.corrupt", mirror: "mirror-a", bytes: 32, seed: 7 }, id: "corrupt" },
      { at: "6s", heal: "corrupt" },
    ],
  },
  duration: "8s",
  checks: ["availability", "latency", "readsCorrect", "lostWrites", "duplicates", "runtime"],
  thresholds: ["availability.failed == 0", "availability.unknown == 0", "runtime.repairs >= 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
