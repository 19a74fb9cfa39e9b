// The paper's money example under the worst timing: crash the transactions primary at each
// step of a commit in turn (before the journal write, after it, after the commit, before
// the acknowledgement), every crash on whichever CPU is the primary by then. Whatever the
// step, each order is paid exactly once or not at all, balances add up, and no order the
// shop acknowledged is lost; the client's retry with the same idempotency key does the rest.
import { defineScenario } from "../lab/scenario/define.js";

const pair = { name: "transactions", primary: "cpu-0", backup: "cpu-1" };

export default defineScenario({
  name: "tx-crash-sweep",
  claim: "A crash at any step of a transaction never leaves a payment without its order or an order without its payment, never charges twice, and loses nothing acknowledged.",
  topology: { cpus: 4, services: [pair] },
  workload: { client: "transactions", service: "transactions", rate: 30, timeoutMs: 500, customers: 5 },
  schedule: {
    timeline: [
      { at: "1s", inject: { kind: "pair.crash", service: "transactions", step: "before-journal" }, id: "before-journal" },
      { at: "2s", heal: "before-journal" },
      { at: "2.5s", inject: { kind: "pair.crash", service: "transactions", step: "after-journal" }, id: "after-journal" },
      { at: "3.5s", heal: "after-journal" },
      { at: "4s", inject: { kind: "pair.crash", service: "transactions", step: "after-commit" }, id: "after-commit" },
      { at: "5s", heal: "after-commit" },
      { at: "5.5s", inject: { kind: "pair.crash", service: "transactions", step: "before-ack" }, id: "before-ack" },
      { at: "6.5s", heal: "before-ack" },
    ],
  },
  duration: "7s",
  checks: ["transactions", "availability", "failoverGap", "runtime"],
  thresholds: ["runtime.takeovers >= 4", "availability.failed == 0", "transactions.retried >= 4", "failoverGap.unrecovered == 0"],
});
