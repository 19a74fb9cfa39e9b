// SMTP store and forward against a server that dies mid-DATA: the mail primary's CPU
// crashes while a message's body is arriving. The client never saw a 250, resends to the
// new primary, and every message that was ever answered 250 is delivered exactly once
// (Message-ID deduplication covers a 250 lost on the way back).
import { defineScenario } from "../lab/scenario/define.js";

export default defineScenario({
  name: "mail-mid-data",
  claim: "Every message acknowledged with 250 is delivered exactly once, even when the server dies in the middle of DATA.",
  topology: { cpus: 4, services: [{ name: "mail", primary: "cpu-0", backup: "cpu-1" }] },
  workload: { client: "smtp", service: "mail", rate: 20, timeoutMs: 1000 },
  schedule: {
    timeline: [
      { at: "2s", inject: { kind: "pair.crash", service: "mail", step: "mid-data" }, id: "crash" },
      { at: "4s", heal: "crash" },
    ],
  },
  duration: "5s",
  checks: ["mail", "availability", "runtime"],
  thresholds: ["runtime.takeovers >= 1", "mail.retried >= 1", "availability.failed == 0"],
});
