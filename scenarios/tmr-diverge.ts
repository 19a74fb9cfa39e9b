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
      { at: "2s", inject: { kind: "replica.diverge", cpu: "cpu-2" }, id: "diverge" },
      { at: "5s", heal: "diverge" },
    ],
  },
  duration: "6s",
  checks: ["availability", "latency", "rightAnswers", "runtime"],
  thresholds: ["availability.failed == 0", "runtime.votedOut == 1", "runtime.takeovers == 0", "runtime.removals == 0"],
});
