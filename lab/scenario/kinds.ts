// Which system a scenario is for, told apart without loading either runner.
import type { AppScenarioSpec } from "../app/scenario.js";

export function isAppScenario(spec: unknown): spec is AppScenarioSpec {
  return typeof spec === "object" && spec !== null && "system" in spec;
}
