// The package as a user gets it: `npm pack`, the tarball installed into a fresh project,
// and in that project vitest files that import "nonstop-lab" by name, type-checked with
// its .d.ts, run a scenario of their own and use the per-test lab fixture against real
// labs. Then `nonstop run` on the user's scenario files, a good one and a bad one.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../lab/config.js";

const run = promisify(execFile);
let project: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cmd: string, args: string[], cwd: string): Promise<Ran> {
  try {
    const r = await run(cmd, args, { cwd, maxBuffer: 64 * 2 ** 20, env: { ...process.env, CI: "" } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "nonstop-consumer-"));
  // --ignore-scripts: the test setup built dist/ already; packing must not rebuild it.
  const packed = await sh("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", project], PROJECT_ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(project, packed.stdout.trim().split("\n").at(-1) ?? "");
  const own = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "my-service-tests", private: true, type: "module" }));
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", lib: ["ES2023", "ESNext.Disposable"], module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] } }),
  );
  await cp(join(PROJECT_ROOT, "test/fixtures/consumer"), project, { recursive: true });
  // The same versions this repository tests with, from npm's cache when it has them.
  const deps = [tarball, `vitest@${own.devDependencies.vitest ?? "*"}`, `typescript@${own.devDependencies.typescript ?? "*"}`, "@types/node@24"];
  const installed = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...deps], project);
  expect(installed.code, installed.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("nonstop-lab as a package", () => {
  it("type-checks a user's files against the published .d.ts", async () => {
    const r = await sh("npx", ["tsc", "-p", "."], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 120_000);

  it("runs a user's vitest file: a scenario of their own, and a lab per test", async () => {
    const r = await sh("npx", ["vitest", "run", "--reporter=verbose"], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 passed/);
  }, 300_000);

  it("nonstop run ./kill.scenario.ts runs a user's scenario file", async () => {
    const r = await sh("npx", ["nonstop", "run", "./kill.scenario.ts", "--report", "reports"], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ my-web-kill/);
  }, 300_000);

  it("a bad scenario file: one line naming the file and the field, exit 2, nothing started", async () => {
    const r = await sh("npx", ["nonstop", "run", "./bad.scenario.ts"], project);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.scenario\.ts: .*schedule\.timeline\[0\]\.inject/);
  }, 60_000);
});
