// One front-door replica is cut off from the store. The client, finding that replica
// unable to reach it, writes through the other one: slower, never lost, never twice.
import { defineScenario } from "nonstop-lab";

export default defineScenario({
  name: "kv-api-partition",
  claim: "a replica cut off from the store costs latency, not writes, to a client that fails over",
  system: { compose: "../docker-compose.yml" },
  workload: { client: "module", module: "../client.ts", rate: 20, timeoutMs: 4000 },
  schedule: { timeline: [{ at: "1s", inject: { kind: "net.partition", groups: [["api"], ["store"]] } }] },
  duration: "6s",
  checks: ["availability", "lostWrites", "duplicates", "latency"],
  thresholds: ["lostWrites.lost == 0", "duplicates.duplicated == 0", "availability.overall >= 95%"],
});
