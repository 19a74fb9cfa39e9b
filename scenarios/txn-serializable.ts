// A control, which must stay quiet: transactions of list appends and reads on the web
// service's process pair, through a kill of its primary's CPU and then a pause of the new
// primary's. Each transaction is one journal record applied at once in the pair's order,
// so the pair is serializable by design; Elle's checker (listAppend) must find no
// anomaly, and must have had enough committed transactions to look at. A checker that
// cried wolf, or a takeover that served a stale read or lost an append, fails it.
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "txn-serializable",
  claim: "Transactions on a process pair stay serializable through a takeover and a paused primary: Elle's checker finds no anomaly.",
  topology: { cpus: 4 },
  workload: { client: "http", service: "web", ops: "txn", rate: 50, timeoutMs: 1000 },
  schedule: {
    timeline: [
      // 1 s of load before each fault; each held long enough for a takeover (detection is 3 × 50 ms).
      { at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      { at: "2.5s", heal: "kill" },
      // The new primary paused past a takeover: it must wake, find a newer epoch and answer nothing.
      { at: "3.5s", inject: { kind: "cpu.pause", cpu: "primary:web" }, id: "pause" },
      { at: "5s", heal: "pause" },
    ],
  },
  // 1 s after the last heal: the woken CPU's stale answers, if any, fall inside the run.
  duration: "6s",
  // 1 s at 50 transactions/s: 50 operations, of which the 99% hypothesis allows none to fail.
  steadyState: { duration: "1s" },
  checks: ["availability", "listAppend", "runtime"],
  // 8 s at 50/s is 400 transactions: 200 committed is a history worth checking.
  thresholds: ["listAppend.anomalies == 0", "listAppend.committed >= 200", "runtime.takeovers >= 2"],
});
