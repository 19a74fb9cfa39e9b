// Every scenario, by name. `nonstop run <name|all>` and the vitest `scenarios` project
// both read this list.
import type { ScenarioSpec } from "../lab/scenario/define.js";
import classicKill from "./classic-kill.js";

export const SCENARIOS: readonly ScenarioSpec[] = [classicKill];
