// The store dies mid-run and comes back: every write it acknowledged was fsynced to its
// volume first, so none may be missing once it has replayed its log.
import { defineScenario } from "nonstop-lab";

export default defineScenario({
  name: "kv-store-kill",
  claim: "a store that fsyncs before it acknowledges loses no acknowledged write when it is killed",
  system: { compose: "../docker-compose.yml" },
  workload: { client: "module", module: "../client.ts", rate: 20, timeoutMs: 2000 },
  schedule: { timeline: [{ at: "2s", inject: { kind: "container.kill", target: "store" }, id: "kill" }, { at: "4s", heal: "kill" }] },
  duration: "8s",
  checks: ["availability", "lostWrites", "duplicates", "failoverGap"],
  thresholds: ["lostWrites.lost == 0", "duplicates.duplicated == 0", "availability.overall >= 50%"],
});
