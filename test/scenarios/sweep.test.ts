// `nonstop sweep` as a user runs it: the single faults derived from the machine, each run
// on one shared lab reset between them, and the one single point of failure named.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../integration/cli.js";
import type { SweepResult } from "../../lab/sweep/run.js";

describe("nonstop sweep", () => {
  it("bad input: one line naming the flag and what it allows, exit 2, before any lab", async () => {
    const kinds = await runCli(["sweep", "--cpus", "3", "--kinds", "cpu.explode"]);
    expect(kinds.code).toBe(2);
    expect(kinds.stderr.trim()).toMatch(/^nonstop: --kinds: unknown fault kind 'cpu\.explode'; allowed: cpu\.kill, /);
    const allow = await runCli(["sweep", "--cpus", "3", "--allow", "cpu-9"]);
    expect(allow.code).toBe(2);
    expect(allow.stderr.trim()).toMatch(/^nonstop: --allow: 'cpu-9' is no part of this machine; parts are cpu-0, /);
  });

  it("finds the edge, and nothing else among CPU failures, to be a single point of failure", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nonstop-sweep-"));
    const r = await runCli(["sweep", "--cpus", "3", "--kinds", "cpu.kill,edge.down", "--allow", "router-edge", "--report", dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = JSON.parse(await readFile(join(dir, "sweep.json"), "utf8")) as SweepResult;
    expect(result.rows.map((x) => x.part)).toEqual(["cpu-0", "cpu-1", "cpu-2", "router-edge"]);
    // Each CPU failure is survived: masked, or a few operations failed while a backup took over.
    for (const row of result.rows.slice(0, 3)) expect(["masked", "degraded"], `${row.fault}: ${row.why}`).toContain(row.verdict);
    // The primary's, with the takeover, recovers well inside a second; the killed backup's and the spare's do not stop the service.
    expect(result.rows[0]?.figures.recoveryMs ?? Infinity).toBeLessThan(1000);
    expect(result.rows[1]?.figures.availability ?? 0).toBeGreaterThan(50);
    // The repair time: the primary's kill (cpu-0, on the fresh lab) leaves web without a
    // backup until the spare takes the part. Roles move with each takeover, so the others
    // may have killed a backup or a spare (0: nothing exposed); each was repaired in the run.
    expect(result.rows[0]?.figures.protectedMs, "the primary's kill: repair time").toBeGreaterThan(0);
    for (const row of result.rows.slice(0, 3)) expect(row.figures.protectedMs ?? Infinity, `${row.fault}: repair time`).toBeLessThan(4000);
    const edge = result.rows[3];
    expect(edge).toMatchObject({ verdict: "outage", allowed: true, fails: false });
    expect(edge?.paperExpects).toMatch(/not the line to the clients/);
    // After the first, every fault ran on the lab the last one left, reset and proved clean.
    expect(result.rows.slice(1).every((x) => x.reused), JSON.stringify(result.rows.map((x) => x.freshBecause))).toBe(true);
    expect(r.stdout).toMatch(/no single point of failure found in 4 faults/);
    const junit = await readFile(join(dir, "junit.xml"), "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(4);
    expect(junit).not.toMatch(/<failure/);
  });
});
