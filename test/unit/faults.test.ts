import { describe, expect, it } from "vitest";
import { UsageError } from "../../lab/errors.js";
import { z } from "zod";
import { CLI_FAULT_KINDS, FAULTS, checkFault, describeFault, faultFromCli, FAULT_KINDS } from "../../lab/faults/kinds/index.js";
import { HEALED, kind } from "../../lab/faults/kinds/kind.js";
import { resolveTopology } from "../../lab/topology/resolve.js";

const t = resolveTopology({}, "demo");
const cpus = t.cpus.map((c) => c.name);

function rejected(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("faults from the command line", () => {
  it("translates the issue's examples", () => {
    expect(checkFault(faultFromCli("cpu.kill", "cpu-1", {}, cpus), t)).toEqual({ kind: "cpu.kill", cpu: "cpu-1" });
    expect(checkFault(faultFromCli("link.latency", undefined, { plane: "x", from: "cpu-0", to: "cpu-1", ms: "200" }, cpus), t)).toEqual({
      kind: "link.toxic",
      plane: "x",
      from: "cpu-0",
      to: "cpu-1",
      toxic: { type: "latency", latencyMs: 200, jitterMs: 0 },
    });
    expect(checkFault(faultFromCli("plane.fail", "x", {}, cpus), t)).toEqual({ kind: "plane.fail", plane: "x" });
    expect(checkFault(faultFromCli("node.isolate", "cpu-2", {}, cpus), t)).toEqual({ kind: "node.isolate", cpu: "cpu-2", planes: ["x", "y"] });
    expect(checkFault(faultFromCli("partition", undefined, { halves: true }, cpus), t)).toMatchObject({ kind: "partition", grudge: { "cpu-0": ["cpu-2", "cpu-3"] } });
    expect(checkFault(faultFromCli("disk.corrupt", "mirror-b", { bytes: "4" }, cpus), t)).toEqual({ kind: "disk.corrupt", mirror: "mirror-b", bytes: 4, seed: 1 });
    expect(checkFault(faultFromCli("edge.reset_peer", "web", {}, cpus), t)).toEqual({ kind: "edge.toxic", service: "web", toxic: { type: "reset_peer", timeoutMs: 0 } });
  });

  it("accepts every kind it lists", () => {
    const flags = { plane: "y", from: "cpu-1", to: "cpu-0", ms: "5", rate: "10", bytes: "10", cores: "0.2", mb: "10", splitOne: "cpu-3", step: "after-journal" };
    for (const kind of CLI_FAULT_KINDS) {
      const target = kind.startsWith("cpu.") || kind === "node.isolate" || kind === "replica.diverge" ? "cpu-1" : kind.startsWith("disk.") ? "mirror-a" : kind.startsWith("plane.") ? "x" : kind === "pair.crash" ? "web" : undefined;
      const f = checkFault(faultFromCli(kind, target, flags, cpus), t);
      expect(FAULT_KINDS).toContain(f.kind);
      expect(describeFault(f)).toMatch(/\S/);
    }
  });

  it("lets only a replica CPU of the voted service diverge", () => {
    expect(rejected(() => checkFault(faultFromCli("replica.diverge", "cpu-0", {}, cpus), t))).toBe("fault.cpu: unknown replica CPU 'cpu-0'; allowed: cpu-1, cpu-2, cpu-3");
  });

  it("names the allowed steps and services of a crash point", () => {
    expect(rejected(() => checkFault(faultFromCli("pair.crash", "web", { step: "midway" }, cpus), t))).toBe("fault: step: allowed: before-journal, after-journal, after-commit, before-ack, mid-data (got \"midway\")");
    expect(rejected(() => checkFault(faultFromCli("pair.crash", "shop", { step: "before-ack" }, cpus), t))).toBe("fault.service: unknown service 'shop'; allowed: web");
  });

  it("rejects an unknown CPU, listing the valid ones", () => {
    expect(rejected(() => checkFault(faultFromCli("cpu.kill", "cpu-9", {}, cpus), t))).toBe("fault.cpu: unknown CPU 'cpu-9'; allowed: cpu-0, cpu-1, cpu-2, cpu-3");
  });

  it("rejects a negative latency", () => {
    expect(rejected(() => checkFault(faultFromCli("link.latency", undefined, { plane: "x", from: "cpu-0", to: "cpu-1", ms: "-5" }, cpus), t))).toBe(
      "fault: toxic.latencyMs: must be 0 or more (milliseconds)",
    );
  });

  it("rejects a plane other than x or y", () => {
    expect(rejected(() => checkFault(faultFromCli("plane.fail", "z", {}, cpus), t))).toMatch(/^fault: plane: unknown plane; allowed: x, y/);
  });

  it("rejects a partition that puts a CPU on both sides", () => {
    expect(rejected(() => faultFromCli("partition", undefined, { sides: "cpu-0,cpu-1|cpu-1,cpu-2" }, cpus))).toMatch(/cpu-1 is on both side 1 and side 2/);
  });

  it("rejects unknown kinds, listing the allowed ones", () => {
    expect(rejected(() => faultFromCli("cpu.melt", "cpu-1", {}, cpus))).toMatch(/^fault kind: unknown 'cpu.melt'; allowed: cpu.kill, cpu.stop, /);
  });

  it("rejects a link from a CPU to itself and a missing number", () => {
    expect(rejected(() => checkFault(faultFromCli("link.down", undefined, { plane: "x", from: "cpu-1", to: "cpu-1" }, cpus), t))).toMatch(/a link joins two different CPUs/);
    expect(rejected(() => faultFromCli("link.latency", undefined, { plane: "x", from: "cpu-0", to: "cpu-1" }, cpus))).toBe("--ms is required");
    expect(rejected(() => faultFromCli("cpu.throttle", "cpu-1", { cores: "lots" }, cpus))).toBe("--cores: a number (got 'lots')");
  });
});

describe("one definition per fault kind", () => {
  it("every kind has a schema, summary, check, CLI form, apply and revert; the CLI names map back to kinds", () => {
    for (const k of FAULT_KINDS) {
      const d = FAULTS[k];
      expect(d.summary, k).toMatch(/\S/);
      expect(typeof d.apply).toBe("function");
      expect(typeof d.revert).toBe("function");
    }
    expect(CLI_FAULT_KINDS).toContain("link.latency");
    expect(CLI_FAULT_KINDS).not.toContain("link.toxic");
  });

  it("a kind without a heal, or with one that does not heal, does not compile", () => {
    const schema = z.object({ kind: z.literal("x.y") }).strict();
    const base = { schema, summary: "x", describe: () => "x", check: () => undefined, cli: { parse: () => ({}) }, apply: () => Promise.resolve(null) };
    // @ts-expect-error: revert is missing
    kind({ ...base });
    // @ts-expect-error: a revert must end with HEALED, which only a heal returns
    kind({ ...base, revert: () => Promise.resolve(undefined) });
    expect(kind({ ...base, revert: () => Promise.resolve(HEALED) }).summary).toBe("x");
  });
});
