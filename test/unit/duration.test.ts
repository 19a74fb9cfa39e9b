import { describe, expect, it } from "vitest";
import { parseDuration } from "../../lab/util/duration.js";

describe("durations", () => {
  it("reads ms, s, m and h, and bare seconds only where a flag allows them", () => {
    expect(parseDuration("d", "500ms")).toBe(500);
    expect(parseDuration("d", "1.5s")).toBe(1500);
    expect(parseDuration("d", "2m")).toBe(120_000);
    expect(parseDuration("--for", "1h")).toBe(3_600_000);
    expect(parseDuration("--for", "10", { bareSeconds: true })).toBe(10_000);
    expect(() => parseDuration("duration", "10")).toThrow(/^duration: a duration such as 500ms, 10s, 2m or 1h \(got '10'\)$/);
    expect(() => parseDuration("--for", "soon", { bareSeconds: true })).toThrow(/^--for: /);
  });
});
