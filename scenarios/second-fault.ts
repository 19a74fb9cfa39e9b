// The next fault is survived too. Every service of the paper runs with its primary on
// cpu-0; cpu-0 fails, every backup takes over and each pair is re-protected on a spare; then
// the new primaries' CPU fails as well. A pair that was not re-protected after the first
// takeover (one fenced and resumed, say) would have no backup left for the second, and its
// service would stay down.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "second-fault",
  claim: "After a takeover every pair is protected again, so a second CPU failure is survived as the first was: every service answers again and keeps every acknowledged write.",
  // The scorecard's machine: seven pairs whose primaries share one CPU.
  topology: { cpus: 4, services: "all", heartbeat: { periodMs: 100, missed: 3 }, cpu: { cpus: 0.75 } },
  workload: [
    { client: "http", service: "web", ops: "add", rate: 20, timeoutMs: 500, retry: { retries: 10, backoffMs: 100 } },
    { client: "transactions", service: "transactions", rate: 10, timeoutMs: 500 },
    { client: "smtp", service: "mail", rate: 5, timeoutMs: 1000 },
    { client: "downloads", service: "downloads", rate: 1, timeoutMs: 1000, abandonEvery: 0 },
    { client: "files", service: "files", rate: 10, timeoutMs: 500 },
    { client: "files", service: "files-wb", rate: 10, timeoutMs: 500 },
    { client: "session", service: "session", rate: 5, timeoutMs: 500, users: 2 },
  ],
  schedule: {
    timeline: [
      { at: "2s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "first" },
      // Re-protection takes well under a second; the second failure comes after it.
      { at: "6s", inject: { kind: "cpu.kill", cpu: "cpu-1" }, id: "second" },
    ],
  },
  duration: "10s",
  checks: ["lostWrites", "duplicates", "transactions", "mail", "downloads", "files", "sessions", "availability", "runtime"],
  thresholds: [
    "runtime.takeovers >= 14",
    "runtime.unprotectedAtEnd == 0",
    "lostWrites.lost == 0",
    "duplicates.duplicated == 0",
    "transactions.lost == 0",
    "transactions.overcharged == 0",
    "mail.lost == 0",
    "mail.duplicated == 0",
    "downloads.corrupt == 0",
    "downloads.doubleBilled == 0",
    "files.lost == 0",
  ],
});
