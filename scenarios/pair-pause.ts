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
      // 1 s of load before the fault: the gap and availability are measured against it.
      { at: "1s", inject: { kind: "cpu.pause", cpu: "cpu-0" }, id: "pause" },
      // Held 2 s: far past detection (150 ms) and the takeover, so the woken CPU wakes into a newer epoch.
      { at: "3s", heal: "pause" },
    ],
  },
  // 1.5 s after the heal: the woken CPU's backlog is worked off and its fencing is seen.
  duration: "4.5s",
  // 1 s at 100 writes/s is 100 operations: the 99% hypothesis then allows one failure.
  steadyState: { duration: "1s" },
  checks: ["availability", "failoverGap", "lostWrites", "duplicates", "splitBrain", "runtime"],
  // At least one takeover: a second can follow when the woken CPU's backlog starves the new
  // primary under its CPU quota (a false suspicion; still fenced, nothing lost).
  thresholds: ["runtime.takeovers >= 1", "runtime.fenced >= 1", "splitBrain.stale == 0", "failoverGap.p99 <= 3s"],
});
