import { describe, expect, it } from "vitest";
import { isToxicType, toWire, TOXIC_TYPES } from "../../lab/router/toxics.js";

describe("toxics", () => {
  it("translates lab units to Toxiproxy's attributes", () => {
    expect(toWire({ type: "latency", latencyMs: 100, jitterMs: 10 })).toEqual({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 100, jitter: 10 },
    });
    expect(toWire({ type: "slicer", averageSize: 64, sizeVariation: 8, delayUs: 50, stream: "upstream", name: "s" })).toMatchObject({
      name: "s",
      stream: "upstream",
      attributes: { average_size: 64, size_variation: 8, delay: 50 },
    });
    expect(toWire({ type: "bandwidth", rateKBps: 5 }).attributes).toEqual({ rate: 5 });
    expect(toWire({ type: "reset_peer", timeoutMs: 0 }).attributes).toEqual({ timeout: 0 });
    expect(toWire({ type: "limit_data", bytes: 10 }).attributes).toEqual({ bytes: 10 });
    expect(toWire({ type: "slow_close", delayMs: 7 }).attributes).toEqual({ delay: 7 });
    expect(toWire({ type: "timeout", timeoutMs: 3, toxicity: 0.5 })).toMatchObject({ toxicity: 0.5, attributes: { timeout: 3 } });
  });

  it("knows its types, and not Toxiproxy's pseudo-toxic 'down'", () => {
    for (const t of TOXIC_TYPES) expect(isToxicType(t)).toBe(true);
    expect(isToxicType("down")).toBe(false);
  });
});
