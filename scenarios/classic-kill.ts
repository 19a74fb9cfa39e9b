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
      { at: "2s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      { at: "6s", heal: "kill" },
    ],
  },
  duration: "8s",
  steadyState: { duration: "2s", thresholds: ["availability.overall >= 99%"] },
  checks: ["availability", "failoverGap", "latency", "runtime"],
  thresholds: ["availability.overall >= 99%", "failoverGap.p99 <= 1s"],
  expect: "fail",
});
