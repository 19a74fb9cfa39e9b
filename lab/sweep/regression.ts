// `nonstop sweep --write DIR`: each finding (a fault that was not masked) as a scenario file
// to keep, so the single point of failure the sweep found is tested again on every run
// until it is fixed, and stays fixed after. The file is the sweep's own scenario for that
// fault, with the claim it made turned into thresholds a scenario run judges by itself:
// nothing failed (the sweep's "masked"), nothing acknowledged lost, no old primary
// acknowledging after a newer one. A part the user allowed (`--allow`) is a known single
// point of failure: its file expects the threshold its verdict broke to fail, and only
// that one, so it pins the known behaviour instead of failing every run.
import type { ScenarioSpec } from "../scenario/define.js";
import type { SweepVerdict } from "./verdict.js";

/** The thresholds of "a single fault is masked", each with the verdict that breaks it. */
const MASKED: { threshold: string; brokenBy: readonly SweepVerdict[]; web?: true }[] = [
  { threshold: "availability.overall >= 100%", brokenBy: ["degraded", "outage"] },
  { threshold: "lostWrites.lost == 0", brokenBy: ["data lost"], web: true },
  { threshold: "splitBrain.stale == 0", brokenBy: ["wrong answers"] },
];

export interface Finding {
  part: string;
  verdict: SweepVerdict;
  why: string;
  allowed: boolean;
}

/** The scenario's name: the part and the fault kind, which together name a sweep's fault. */
function regressionName(spec: ScenarioSpec, f: Finding): string {
  const step = "timeline" in spec.schedule ? spec.schedule.timeline.find((s) => "inject" in s) : undefined;
  const what = step && "inject" in step ? step.inject.kind : "fault";
  return `sweep-${f.part}-${what}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/**
 * The file's name. `.mts`: an ES module wherever it is kept, whatever the package.json
 * beside it says, so its default export loads as the scenario itself.
 */
export function regressionFile(spec: ScenarioSpec, f: Finding): string {
  return `${regressionName(spec, f)}.scenario.mts`;
}

/** The scenario that tests a finding again; undefined for a fault that was masked (nothing to keep). */
export function regressionScenario(spec: ScenarioSpec, f: Finding): ScenarioSpec | undefined {
  if (f.verdict === "masked") return undefined;
  const web = spec.checks.includes("lostWrites");
  const thresholds = MASKED.filter((m) => !m.web || web);
  const broken = thresholds.filter((m) => m.brokenBy.includes(f.verdict)).map((m) => m.threshold);
  // "not recovered" breaks no threshold of its own: the steady state after the heal fails.
  const expect = f.allowed && broken.length > 0 ? { expect: { fail: broken } } : {};
  const name = regressionName(spec, f);
  return { ...spec, name, thresholds: thresholds.map((m) => m.threshold), ...expect };
}

/** The file's text: a header saying what the sweep saw, and the scenario. */
export function regressionSource(spec: ScenarioSpec, f: Finding, importFrom = "nonstop-lab"): string {
  const head = [
    `// Written by \`nonstop sweep --write\`: ${spec.claim.replace(/^a single fault is masked: /, "")}`,
    `// The sweep found it ${f.verdict}${f.allowed ? " (allowed: a known single point of failure)" : ""}: ${f.why}`,
    f.allowed ? "// It is expected to fail the threshold its verdict broke, and nothing else." : "// It fails until the fault is masked; keep it as a regression test once it is.",
  ];
  return `${head.join("\n")}\nimport { defineScenario } from "${importFrom}";\n\nexport default defineScenario(${JSON.stringify(spec, null, 2)});\n`;
}
