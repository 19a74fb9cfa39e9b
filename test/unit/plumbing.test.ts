import { describe, expect, it } from "vitest";
import { isLabId, labFilter, labLabels } from "../../lab/docker/labels.js";
import { parseEvent } from "../../lab/docker/plumbing.js";

describe("labels", () => {
  it("labels every resource with its lab and role", () => {
    expect(labLabels("demo", "cpu", "cpu-0")).toEqual({ "nonstop.lab": "demo", "nonstop.role": "cpu", "nonstop.name": "cpu-0" });
    expect(labFilter()).toEqual(["nonstop.lab"]);
    expect(labFilter("demo", "router")).toEqual(["nonstop.lab=demo", "nonstop.role=router"]);
  });

  it("accepts only DNS-safe lab ids", () => {
    expect(isLabId("default")).toBe(true);
    expect(isLabId("t-a1")).toBe(true);
    expect(isLabId("Bad")).toBe(false);
    expect(isLabId("-x")).toBe(false);
    expect(isLabId("x".repeat(32))).toBe(false);
  });
});

describe("docker events", () => {
  it("parses an engine event line into a lab event with millisecond time", () => {
    const line = JSON.stringify({
      Type: "container",
      Action: "kill",
      Actor: { ID: "abc", Attributes: { "nonstop.lab": "demo", "nonstop.role": "cpu", "nonstop.name": "cpu-1", signal: "9" } },
      time: 1_700_000_000,
      timeNano: 1_700_000_000_123_456_789,
    });
    expect(parseEvent(line)).toEqual({ time: 1_700_000_000_123, type: "container", action: "kill", id: "abc", lab: "demo", role: "cpu", name: "cpu-1" });
  });

  it("ignores event kinds the lab does not use", () => {
    expect(parseEvent(JSON.stringify({ Type: "image", Action: "pull" }))).toBeUndefined();
  });
});
