// A user's scenario files: `nonstop run ./path/file.scenario.ts` or `./folder/` (every
// *.scenario.ts / .js / .mjs in it, sorted). Each file's default export is a scenario from
// defineScenario, or a list of them. Every one is checked as the built-in ones are, and
// an error names the file and the field, on one line, before anything starts.
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError, errorMessage } from "../errors.js";
import { formatZodError } from "../topology/resolve.js";
import type { AnyScenarioSpec, ScenarioSpec } from "./define.js";
import { isAppScenario } from "./kinds.js";
import { checkSwarmSchedule, refuseAppOnSwarm, resolveScenario } from "./validate.js";

const SCENARIO_FILE = /\.scenario\.(ts|mts|js|mjs|ya?ml)$/;

/** An argument of `nonstop run` that is a path rather than a built-in scenario's name. */
export function isScenarioPath(arg: string): boolean {
  return arg.includes("/") || arg.startsWith(".") || /\.(ts|mts|js|mjs|ya?ml)$/.test(arg);
}

async function filesOf(path: string): Promise<string[]> {
  const full = resolve(path);
  const st = await stat(full).catch(() => undefined);
  if (!st) throw new UsageError(`run: ${path}: no such file or folder`);
  if (st.isFile()) return [full];
  const found = (await readdir(full, { recursive: true })).filter((f) => SCENARIO_FILE.test(f) && !f.split("/").includes("node_modules")).sort();
  if (found.length === 0) throw new UsageError(`run: ${path}: no *.scenario.ts, .js, .mjs or .yaml files in this folder`);
  return found.map((f) => join(full, f));
}

/**
 * Imports one file; TypeScript through tsx. A YAML file is a Compose project's scenario,
 * checked against its schema (docs/scenario.schema.json) with the field's path in the error.
 */
async function importFile(file: string): Promise<unknown> {
  if (/\.ya?ml$/.test(file)) {
    const [{ parse }, { AppScenarioSchema }] = await Promise.all([import("yaml"), import("../app/schema.js")]);
    const data: unknown = parse(await readFile(file, "utf8"));
    if (typeof data !== "object" || data === null || !("system" in data)) throw new UsageError(`run: ${basename(file)}: a YAML scenario is for a Compose project: system.compose is required (the Tandem machine's scenarios are TypeScript)`);
    const r = AppScenarioSchema.safeParse(data, { reportInput: true });
    if (!r.success) throw new UsageError(formatZodError(`run: ${basename(file)}`, r.error));
    return { default: data };
  }
  if (/\.m?ts$/.test(file)) {
    const { tsImport } = await import("tsx/esm/api");
    return tsImport(pathToFileURL(file).href, import.meta.url);
  }
  return import(pathToFileURL(file).href);
}

const REQUIRED: [keyof ScenarioSpec, string, (v: unknown) => boolean][] = [
  ["name", "a string", (v) => typeof v === "string"],
  ["claim", "a string", (v) => typeof v === "string"],
  ["topology", "an object", (v) => typeof v === "object" && v !== null && !Array.isArray(v)],
  ["workload", "an object or a list of them", (v) => typeof v === "object" && v !== null],
  ["schedule", "{ timeline: [...] } or { random: {...} }", (v) => typeof v === "object" && v !== null && ("timeline" in v || "random" in v)],
  ["duration", "a duration such as '10s'", (v) => typeof v === "string"],
  ["checks", "a list of check names", Array.isArray],
  ["thresholds", "a list such as ['availability.overall >= 99%']", Array.isArray],
];

function checkShape(v: unknown, where: string): AnyScenarioSpec {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`${where}: not a scenario (export default defineScenario({...}))`);
  const app = isAppScenario(v);
  for (const [field, what, ok] of REQUIRED) {
    // A Compose project's scenario names its system where the machine's has a topology.
    if (app && field === "topology") {
      const compose = (v as { system?: { compose?: unknown } }).system?.compose;
      if (typeof compose !== "string") throw new UsageError(`${where}: system.compose: the path of a Compose file is required`);
      continue;
    }
    if (!ok((v as Record<string, unknown>)[field])) throw new UsageError(`${where}: ${field}: ${what} is required`);
  }
  return v as ScenarioSpec;
}

/** The scenarios in the given files and folders, each checked; one-line errors name the file. */
export async function loadScenarios(paths: string[]): Promise<AnyScenarioSpec[]> {
  const out: AnyScenarioSpec[] = [];
  for (const path of paths) {
    for (const file of await filesOf(path)) {
      const mod = (await importFile(file).catch((err: unknown) => {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`run: ${file}: does not load: ${errorMessage(err).split("\n")[0] ?? ""}`);
      })) as { default?: unknown };
      const exported = mod.default;
      if (exported === undefined) throw new UsageError(`run: ${file}: no default export (export default defineScenario({...}))`);
      const list = Array.isArray(exported) ? exported : [exported];
      for (const [i, v] of list.entries()) {
        const where = `run: ${basename(file)}${Array.isArray(exported) ? `[${i}]` : ""}`;
        const shaped = checkShape(v, where);
        // Relative paths in a scenario (its Compose file, a client module) are the file's.
        const spec = isAppScenario(shaped) ? { ...shaped, baseDir: shaped.baseDir ?? dirname(file) } : shaped;
        try {
          await validate(spec);
        } catch (err) {
          throw new UsageError(`${where}: ${errorMessage(err)}`);
        }
        out.push(spec);
      }
    }
  }
  return out;
}

/** Checks a scenario of either system completely, before anything starts. */
export async function validate(spec: AnyScenarioSpec, seed?: number, opts: { swarm?: boolean } = {}): Promise<void> {
  if (isAppScenario(spec)) {
    if (opts.swarm) refuseAppOnSwarm(spec.name);
    await (await import("../app/scenario.js")).resolveAppScenario(spec, seed);
    return;
  }
  const scn = resolveScenario(spec, "validate", seed);
  if (opts.swarm) checkSwarmSchedule(spec.name, scn.schedule);
}
