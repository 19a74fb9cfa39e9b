// 200 ms on every packet the store sends: every request through the front door waits for
// one of them, and nothing fails.
import { defineScenario } from "nonstop-lab";

export default defineScenario({
  name: "kv-store-delay",
  claim: "a slow store makes the front door slow, not unavailable",
  system: { compose: "../docker-compose.yml" },
  workload: { client: "http", target: "api.*", port: 8080, method: "PUT", path: "/kv/{key}", body: "{value}", keys: 50, rate: 20, timeoutMs: 2000 },
  schedule: { timeline: [{ at: "1s", inject: { kind: "net.delay", target: "store", ms: 200, jitterMs: 0 } }] },
  duration: "5s",
  checks: ["availability", "latency"],
  thresholds: ["availability.overall >= 99%", "latency.p90 >= 150ms"],
});
