// Lab lifecycle from the command line: side-by-side labs, down, bad input that creates
// nothing, no engine, and reap after a run killed with SIGKILL.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { up } from "../../lab/machine/up.js";
import { resolveTopology } from "../../lab/topology/resolve.js";
import { waitFor, httpJson } from "../../lab/util/http.js";
import type { MachineStatus } from "../../lab/machine/status.js";
import type { PingResult } from "../../runtime/agent/planes.js";
import { runCli, startCli } from "./cli.js";
import { testLabId } from "./lab-ids.js";

let plumbing: Plumbing;
const labA = testLabId("a");
const labB = testLabId("b");

async function nothingLabelled(lab: string): Promise<void> {
  expect(await plumbing.container.list(lab)).toEqual([]);
  expect(await plumbing.network.list(lab)).toEqual([]);
  expect(await plumbing.volume.list(lab)).toEqual([]);
}

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
});

afterAll(async () => {
  for (const lab of [labA, labB]) await reap(plumbing, lab);
});

describe("labs side by side", () => {
  it("two labs run at once without interfering, and down removes only its own", async () => {
    const [a, b] = await Promise.all([runCli(["up", "--lab", labA, "--cpus", "2", "--json"]), runCli(["up", "--lab", labB, "--cpus", "2", "--json"])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const sa = JSON.parse(a.stdout) as MachineStatus;
    const sb = JSON.parse(b.stdout) as MachineStatus;
    expect(sa.services[0]?.url).not.toBe(sb.services[0]?.url);

    // Failing lab A's plane x leaves lab B's untouched.
    await plumbing.container.kill(dockerName(labA, "router-x"));
    const bx = await httpJson<PingResult[]>(`${sb.cpus[0]?.agentUrl}/ping?plane=x`);
    expect(bx.every((p) => p.ok)).toBe(true);

    const down = await runCli(["down", "--lab", labA]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`lab ${labA} is down in [0-9.]+s: removed 5 containers, 3 networks, 2 volumes`));
    await nothingLabelled(labA);
    expect((await httpJson<{ cpu: string }>(`${sb.services[0]?.url}/health`)).cpu).toBe("cpu-0");

    const status = await runCli(["status", "--lab", labB]);
    expect(status.stdout).toMatch(/cpu-1 .* backup web .* running +healthy/);
    expect((await runCli(["down", "--lab", labB])).code).toBe(0);
    await nothingLabelled(labB);
  });
});

describe("bad input: one line, exit 2, nothing created", () => {
  const lab = testLabId("bad");
  async function expectRejected(args: string[], message: RegExp, command = "up"): Promise<void> {
    const r = await runCli(command === "run" ? [command, ...args] : [command, "--lab", lab, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    await nothingLabelled(lab);
  }

  it("0 CPUs", () => expectRejected(["--cpus", "0"], /^nonstop: topology: cpus: must be between 1 and 16$/m));

  it("a backup on its primary's CPU", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nonstop-"));
    const file = join(dir, "t.yaml");
    await writeFile(file, "services:\n  - name: web\n    primary: cpu-1\n    backup: cpu-1\n");
    await expectRejected(["--topology", file], /topology: services\[0\]\.backup: must be a different CPU from its primary/);
  });

  it("an unknown plane", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nonstop-"));
    const file = join(dir, "t.json");
    await writeFile(file, JSON.stringify({ planes: ["x", "q"] }));
    await expectRejected(["--topology", file], /topology: planes\[1\]: unknown plane; allowed: x, y/);
  });

  it("a topology file that is neither YAML nor JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nonstop-"));
    const file = join(dir, "t.yaml");
    await writeFile(file, "cpus: [1, 2\nplanes: {x\n");
    await expectRejected(["--topology", file], /--topology: .* is not valid YAML or JSON/);
  });

  it("a bad lab id", () => expectRejected(["--lab", "Not_OK"], /lab id: lowercase letters/));

  it("an empty topology file, or one that is a list", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nonstop-"));
    await writeFile(join(dir, "empty.yaml"), "");
    await writeFile(join(dir, "list.yaml"), "- 1\n- 2\n");
    await expectRejected(["--topology", join(dir, "empty.yaml")], /--topology: .*empty\.yaml is empty; give at least one field/);
    await expectRejected(["--topology", join(dir, "list.yaml")], /--topology: .* must be a mapping of fields .* not a list/);
  });

  // It once looped on mkdir at 80% of a core, forever, before any check.
  it("a report folder that cannot be written, before any lab starts", () => expectRejected(["pair-kill", "--report", "/proc/nonstop/x"], /^nonstop: --report: cannot write into \/proc\/nonstop\/x \(ENOENT\)/m, "run"));

  // The input first: on a lab that is down, an unknown kind is still a usage error, not "lab is not up".
  it("an unknown fault kind on a lab that is down", () => expectRejected(["teleport", "cpu-0"], /^nonstop: fault kind: unknown 'teleport'; allowed: cpu\.kill, /m, "fault"));

  // So are a known kind's malformed arguments, of either system's kinds.
  it("a fault's malformed arguments on a lab that is down", async () => {
    await expectRejected(["cpu.kill"], /^nonstop: the CPU \(e\.g\. cpu-1\) is required$/m, "fault");
    await expectRejected(["link.latency", "--from", "cpu-0", "--to", "cpu-1", "--plane", "z", "--ms", "10"], /^nonstop: fault: plane: unknown plane; allowed: x, y \(got "z"\)$/m, "fault");
    await expectRejected(["link.latency", "--from", "cpu-0", "--to", "cpu-1", "--plane", "x", "--ms", "-10"], /^nonstop: fault: toxic\.latencyMs: must be 0 or more/m, "fault");
    await expectRejected(["pair.crash", "web", "--step", "nowhere"], /^nonstop: fault: step: allowed: before-journal, .* \(got "nowhere"\)$/m, "fault");
    await expectRejected(["disk.corrupt"], /^nonstop: the mirror \(e\.g\. mirror-a\) is required$/m, "fault");
    await expectRejected(["container.kill"], /^nonstop: the target is required: a Compose service/m, "fault");
    // Well formed: only now is the lab looked for.
    const r = await runCli(["fault", "--lab", lab, "cpu.kill", "cpu-0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lab .* is not up/);
  });
});

describe("failure and cleanup", () => {
  // An up that cannot finish in time stands for any up that fails half-way.
  it("an up that fails removes what it made, and says so; keepOnFailure leaves it and says how to remove it", async () => {
    const lab = testLabId("upfail");
    const topology = resolveTopology({ cpus: 2 }, lab);
    const failing = up({ plumbing, images: inject("images"), topology, progress: () => undefined, timeoutMs: 1 });
    await expect(failing).rejects.toThrow(/timed out .*; removed what this up created \(\d+ containers, 3 networks, 2 volumes\)/);
    await nothingLabelled(lab);

    const kept = up({ plumbing, images: inject("images"), topology, progress: () => undefined, timeoutMs: 1, keepOnFailure: true });
    await expect(kept).rejects.toThrow(new RegExp(`the lab is left up as asked \\(--keep\\): .*'npx nonstop down --lab ${lab}'`));
    expect((await plumbing.container.list(lab)).length).toBeGreaterThan(0);
    await reap(plumbing, lab);
    await nothingLabelled(lab);
  });

  it("no engine: one line that says how to start one, exit 3", async () => {
    const r = await runCli(["status"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^nonstop: no Docker engine answers at unix:\/\/\/nonexistent\/docker.sock .*ensure-docker.sh/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("reap removes everything a run killed with SIGKILL left behind", async () => {
    const lab = testLabId("sigkill");
    const child = startCli(["up", "--lab", lab]);
    // Kill it mid-way, once it has made part of the machine.
    await waitFor("the run to create a container", async () => (await plumbing.container.list(lab)).length >= 2, 60_000, 50);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    expect((await plumbing.network.list(lab)).length).toBeGreaterThan(0);

    const r = await runCli(["reap", "--lab", lab]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`reaped lab ${lab}: \\d+ containers, 3 networks, 2 volumes`));
    await nothingLabelled(lab);
  });
});
