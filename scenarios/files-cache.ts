// NFS-like files in the paper's two cache modes, side by side on one machine under the
// same CPU failure: write-through acknowledges a write only once it is journaled and in
// the backup, and loses nothing; write-back acknowledges from the primary's memory and
// loses what it had not flushed, exactly as the paper predicts.
import { defineScenario } from "../lab/scenario/define.js";

const pair = { primary: "cpu-0", backup: "cpu-1" } as const;

export default defineScenario({
  name: "files-cache",
  claim: "With a write-through cache every acknowledged write survives a CPU failure; with a write-back cache acknowledged writes are lost.",
  topology: {
    cpus: 4,
    services: [
      { name: "files", cache: "write-through", ...pair },
      { name: "files-wb", kind: "files", cache: "write-back", ...pair },
    ],
  },
  workload: [
    { client: "files", service: "files", rate: 40, timeoutMs: 500 },
    { client: "files", service: "files-wb", rate: 40, timeoutMs: 500 },
  ],
  schedule: {
    timeline: [
      { at: "2s", inject: { kind: "cpu.kill", cpu: "cpu-0" }, id: "kill" },
      { at: "4s", heal: "kill" },
    ],
  },
  duration: "5s",
  checks: ["files", "availability", "runtime"],
  thresholds: ["files.lost == 0", "files.lostWriteBack >= 1", "availability.failed == 0"],
});
