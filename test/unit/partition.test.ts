import { describe, expect, it } from "vitest";
import { cutLinks, grudgeFromSides, halves, majoritiesRing, splitOne } from "../../lab/faults/partition.js";

const cpus = ["cpu-0", "cpu-1", "cpu-2", "cpu-3", "cpu-4"];

describe("partitions", () => {
  it("splits one CPU off from the rest, both ways", () => {
    const g = grudgeFromSides(splitOne(cpus, "cpu-2"));
    expect(g["cpu-2"]).toEqual(["cpu-0", "cpu-1", "cpu-3", "cpu-4"]);
    expect(g["cpu-0"]).toEqual(["cpu-2"]);
    expect(cutLinks(g)).toHaveLength(8);
  });

  it("halves give the odd CPU to the first side, the majority", () => {
    expect(halves(cpus)).toEqual([
      ["cpu-0", "cpu-1", "cpu-2"],
      ["cpu-3", "cpu-4"],
    ]);
    expect(cutLinks(grudgeFromSides(halves(cpus)))).toHaveLength(2 * 3 * 2);
  });

  it("rejects a CPU on both sides, naming it", () => {
    expect(() => grudgeFromSides([["cpu-0", "cpu-1"], ["cpu-1", "cpu-2"]])).toThrow("partition: cpu-1 is on both side 1 and side 2; each CPU belongs to one side");
  });

  it("a majorities ring: every CPU hears a majority, and no two hear the same one", () => {
    const g = majoritiesRing(cpus);
    const hears = cpus.map((c) => cpus.filter((o) => !(g[c] ?? []).includes(o)).sort().join(","));
    for (const h of hears) expect(h.split(",").length).toBe(3);
    expect(new Set(hears).size).toBe(5);
    for (const c of cpus) expect(g[c]).not.toContain(c);
  });
});
