// The virtual processor (TMR): a compute service on three replicas behind a voter. One
// replica starts computing wrong answers. The voter outvotes it, switches it off and names
// it; no client ever receives a wrong answer, and none fails.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "tmr-diverge",
  claim: "A replica that computes wrong answers is outvoted by the other two and switched off: no wrong answer reaches a client.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "compute", rate: 50, timeoutMs: 1000 },
  schedule: {
    timeline: [
      // 1 s of load before the fault.
      { at: "1s", inject: { kind: "replica.diverge", cpu: "cpu-2" }, id: "diverge" },
      // Held 2 s: the first wrong answer (at 50 computes a second) is voted out at once.
      { at: "3s", heal: "diverge" },
    ],
  },
  // 1 s after the heal: the replica's return is inside the judged run.
  duration: "4s",
  checks: ["availability", "latency", "rightAnswers", "runtime"],
  thresholds: ["availability.failed == 0", "runtime.votedOut == 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
