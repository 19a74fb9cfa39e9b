// A user's scenario files, loaded and checked before anything starts: every mistake is one
// line naming the file and the field.
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../lab/errors.js";
import { isScenarioPath, loadScenarios } from "../../lab/scenario/load.js";

let dir: string;
const good = (name: string) => ({
  name,
  claim: "c",
  topology: { cpus: 2, services: [{ name: "web", primary: "cpu-0", backup: "cpu-1" }] },
  workload: { client: "http", service: "web", rate: 10, timeoutMs: 500 },
  schedule: { timeline: [{ at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-0" } }] },
  duration: "2s",
  checks: ["availability"],
  thresholds: [],
});
const module = (v: unknown) => `export default ${JSON.stringify(v)};\n`;

async function rejection(paths: string[]): Promise<string> {
  const err = await loadScenarios(paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  const message = (err as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nonstop-scenarios-"));
  await mkdir(join(dir, "suite", "nested"), { recursive: true });
  await writeFile(join(dir, "suite", "a.scenario.mjs"), module(good("a")));
  await writeFile(join(dir, "suite", "nested", "b.scenario.mjs"), module([good("b1"), good("b2")]));
  await writeFile(join(dir, "suite", "helper.mjs"), "export const x = 1;\n");
  await writeFile(join(dir, "no-claim.scenario.mjs"), module({ ...good("x"), claim: undefined }));
  await writeFile(join(dir, "bad-cpu.scenario.mjs"), module({ ...good("y"), schedule: { timeline: [{ at: "1s", inject: { kind: "cpu.kill", cpu: "cpu-7" } }] } }));
  await writeFile(join(dir, "no-default.scenario.mjs"), "export const s = 1;\n");
  await writeFile(join(dir, "broken.scenario.mjs"), "export default {\n");
  await mkdir(join(dir, "empty"));
});

describe("a user's scenario files", () => {
  it("tells paths from built-in names", () => {
    expect(isScenarioPath("./x.scenario.ts")).toBe(true);
    expect(isScenarioPath("scenarios/")).toBe(true);
    expect(isScenarioPath("pair-kill")).toBe(false);
  });

  it("loads a folder's *.scenario files, nested and sorted, a default export of one or a list", async () => {
    expect((await loadScenarios([join(dir, "suite")])).map((s) => s.name)).toEqual(["a", "b1", "b2"]);
  });

  it("names the file and the field of each mistake", async () => {
    expect(await rejection([join(dir, "no-claim.scenario.mjs")])).toBe("run: no-claim.scenario.mjs: claim: a string is required");
    expect(await rejection([join(dir, "bad-cpu.scenario.mjs")])).toMatch(/^run: bad-cpu\.scenario\.mjs: scenario y: schedule\.timeline\[0\]\.inject\.cpu: unknown CPU 'cpu-7'; allowed: cpu-0, cpu-1$/);
    expect(await rejection([join(dir, "no-default.scenario.mjs")])).toMatch(/no-default\.scenario\.mjs: no default export/);
    expect(await rejection([join(dir, "broken.scenario.mjs")])).toMatch(/broken\.scenario\.mjs: does not load: /);
    expect(await rejection([join(dir, "empty")])).toMatch(/empty: no \*\.scenario\.ts, \.js, \.mjs or \.yaml files in this folder/);
    expect(await rejection([join(dir, "nope")])).toMatch(/nope: no such file or folder/);
  });
});
