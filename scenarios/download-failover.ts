// Per-download billing across a failover: kill the downloads primary while files are
// streaming. Cut transfers resume with Range on the new primary and complete byte-exact;
// each completed download is billed once, and the ones abandoned half way never are.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "download-failover",
  claim: "A download cut by a failover resumes and completes byte-exact; a completed download is billed exactly once, an incomplete one never.",
  topology: { cpus: 4, services: [{ name: "downloads", primary: "cpu-0", backup: "cpu-1" }] },
  // Three starts a second, so two or three transfers are mid-stream whenever the kill lands;
  // the kill is off the starts' half-second beat, so it never meets only fresh ones.
  workload: { client: "downloads", service: "downloads", rate: 3, timeoutMs: 1000, kbps: 512, abandonEvery: 4 },
  schedule: {
    timeline: [
      { at: "2.2s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      { at: "4.5s", heal: "kill" },
    ],
  },
  duration: "6s",
  checks: ["downloads", "availability", "runtime"],
  thresholds: ["downloads.resumed >= 1", "downloads.billed >= 5", "availability.failed == 0", "runtime.takeovers >= 1"],
});
