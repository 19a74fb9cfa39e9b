// The paper's Fig. 1: the classic, non-fault-tolerant single system. One CPU, no backup.
// Kill it under a web workload and the service is simply gone until the machine is
// repaired. This is the baseline every fault-tolerant scenario is measured against, and it
// is *expected* to fail its availability and failover-gap thresholds.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "classic-kill",
  claim: "A classic single system has no redundancy: when its CPU fails, the service is down until the CPU is repaired.",
  topology: { cpus: 1 },
  workload: { client: "http", service: "web", rate: 50, timeoutMs: 500 },
  schedule: {
    timeline: [
      // 1 s of load before the fault.
      { at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      // Down 2 s: far past any threshold below, and long enough for a gap to be a gap.
      { at: "3s", heal: "kill" },
    ],
  },
  // 2 s after the repair is due: the heal takes about a second (the CPU boots and rejoins),
  // and the service is back a moment later, before the steady state after is judged.
  duration: "5s",
  // 2 s at 50 requests/s: 100 operations, so the 99% hypothesis allows one failure.
  steadyState: { duration: "2s", thresholds: ["availability.overall >= 99%"] },
  checks: ["availability", "failoverGap", "latency", "runtime"],
  thresholds: ["availability.overall >= 99%", "failoverGap.p99 <= 1s"],
  // Both must fail, and nothing else may: the steady state before (the workload ran) and
  // after (the repaired CPU serves again) hold, and so do the other checks.
  expect: { fail: ["availability.overall >= 99%", "failoverGap.p99 <= 1s"] },
});
