// A Compose project's scenario as data: the zod schema a YAML scenario file is checked
// against (its first errors name the field), and the JSON Schema published from it
// (docs/scenario.schema.json, `nonstop schema`), so an editor can check and complete a
// file as it is written. TypeScript files get the same shape from AppScenarioSpec.
import { z } from "zod";
import { APP_FAULTS } from "./faults/index.js";
import { LinkSpec } from "./faults/link.js";
import { LogSpec } from "./logs.js";
import { ProbeSpec } from "./probes.js";
import { AppWorkload } from "./workload.js";
import { ExpectSchema } from "../scenario/expectation.js";

const faultSchemas = Object.values(APP_FAULTS).map((d) => d.schema);
const AppFaultSchema = z.discriminatedUnion("kind", faultSchemas as unknown as [(typeof faultSchemas)[number], ...(typeof faultSchemas)[number][]]);

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, "a duration such as 500ms, 10s or 2m").describe("a duration: 500ms, 10s, 2m");

export const AppScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, "lowercase letters, digits and '-'"),
    claim: z.string().min(1).describe("the claim this scenario tests, in one sentence"),
    system: z
      .object({
        compose: z.string().min(1).describe("the Compose file, relative to this file"),
        env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional().describe("variables for the Compose file's ${...} interpolation: the system's settings for this scenario"),
      })
      .strict(),
    workload: z.union([AppWorkload, z.array(AppWorkload).min(1)]),
    links: z.array(LinkSpec).optional().describe("links put behind the lab's Toxiproxy router before the run, for link.* faults: { from: api, to: db:5432 }"),
    probes: z.record(z.string(), ProbeSpec).optional().describe("how to ask who is primary, per group of containers; sampled every 100 ms"),
    logs: z.record(z.string(), LogSpec).optional().describe("log lines recorded as events, per group of containers: { targets, events: { name: regex } }; the observed logs check counts each event"),
    schedule: z
      .object({
        timeline: z.array(
          z.union([
            z.object({ at: duration, inject: AppFaultSchema, id: z.string().optional() }).strict(),
            z.object({ at: duration, heal: z.string() }).strict(),
            z.object({ at: duration, healAll: z.literal(true) }).strict(),
          ]),
        ),
      })
      .strict(),
    duration: duration.describe("the length of the fault phase"),
    steadyState: z.object({ duration: duration.optional(), thresholds: z.array(z.string()).optional() }).strict().optional(),
    checks: z.array(z.string()).describe("check names: availability, failoverGap, latency, lostWrites, duplicates, splitBrain, ..."),
    observe: z.array(z.string()).optional().describe("checks measured and reported but judged only by the thresholds that name them"),
    thresholds: z.array(z.string()).describe('e.g. "lostWrites.lost == 0", "availability.overall >= 99%"'),
    expect: ExpectSchema.optional(),
    seed: z.number().int().min(0).optional(),
  })
  .strict();

/** The published JSON Schema of a scenario file for a Compose project. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    title: "nonstop-lab scenario for a Compose project",
    ...z.toJSONSchema(AppScenarioSchema, { io: "input", unrepresentable: "any" }),
  };
}
