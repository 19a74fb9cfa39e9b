// The paper's classic single system has no redundancy in its processor, but its disk is
// still its memory of record: kill its only CPU under writes, repair it, and the restarted
// primary replays the journal on the mirrored disk before it serves again. Down until the
// repair (the baseline shows that), yet not one acknowledged write is lost.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "classic-recover",
  claim: "A classic single system is down until its CPU is repaired, but then recovers every acknowledged write from the journal on its disk.",
  topology: { cpus: 1 },
  workload: { client: "http", service: "web", ops: "add", rate: 50, timeoutMs: 500 },
  schedule: {
    timeline: [
      { at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      { at: "3s", heal: "kill" },
    ],
  },
  // The heal takes about a second (the CPU boots and rejoins), and the service then replays
  // its journal: 2 s after the heal is due leaves the steady state after a service that is back.
  duration: "5s",
  // 2 s at 50 writes/s: 100 operations, so the 99% hypothesis allows one failure (the default, written out).
  steadyState: { duration: "2s" },
  checks: ["availability", "lostWrites", "duplicates", "runtime"],
  thresholds: ["runtime.recoveries == 1", "lostWrites.lost == 0", "duplicates.duplicated == 0"],
});
