// The gray failure: the primary's CPU freezes (alive, silent) long enough for its backup to
// take over, then wakes up still believing it is the primary. Fencing by epoch on the
// shared RAID must stop it: no write may be acknowledged under the old epoch after the
// takeover, and nothing acknowledged may be lost.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "pair-pause",
  claim: "A paused primary that wakes after its backup took over answers not a single write: it finds a newer epoch and stops.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "add", rate: 100, timeoutMs: 1000 },
  schedule: {
    timeline: [
      { at: "2s", inject: { kind: "cpu.pause", cpu: "cpu-0" }, id: "pause" },
      { at: "5s", heal: "pause" },
    ],
  },
  duration: "8s",
  checks: ["availability", "failoverGap", "lostWrites", "duplicates", "splitBrain", "runtime"],
  // At least one takeover: a second can follow when the woken CPU's backlog starves the new
  // primary under its CPU quota (a false suspicion; still fenced, nothing lost).
  thresholds: ["runtime.takeovers >= 1", "runtime.fenced >= 1", "splitBrain.stale == 0", "failoverGap.p99 <= 3s"],
});
