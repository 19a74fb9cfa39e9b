// The one function that turns the user-written form into the complete, trusted Topology.
// Every error names its field path and the allowed values, as one line (exit 2).
import type { z } from "zod";
import { UsageError } from "../errors.js";
import { cpuName, EDGE_PORT_BASE } from "./links.js";
import { TopologyInputSchema, type TopologyInput } from "./schema.js";
import { PLANES, type Cpu, type PlaneName, type Service, type Topology } from "./types.js";

export const DEFAULTS = {
  cpus: 4,
  cpuCores: 0.5,
  memoryMb: 256,
  mirrors: 2,
  periodMs: 50,
  missed: 2,
  servicePort: 8081,
  agentPort: 8080,
} as const;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

export function formatZodError(prefix: string, err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return `${prefix}: invalid`;
  const where = fieldPath(issue.path);
  let msg = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) msg = `${msg} (got ${JSON.stringify((issue as { input?: unknown }).input)})`;
  if (issue.code === "unrecognized_keys") msg = `unknown field(s) ${issue.keys.join(", ")}`;
  return `${prefix}: ${where ? `${where}: ` : ""}${msg}`;
}

export function resolveTopology(input: unknown, lab: string): Topology {
  const parsed = TopologyInputSchema.safeParse(input ?? {});
  if (!parsed.success) throw new UsageError(formatZodError("topology", parsed.error));
  const t: TopologyInput = parsed.data;

  const n = t.cpus ?? DEFAULTS.cpus;
  const cpus: Cpu[] = Array.from({ length: n }, (_, i) => ({
    name: cpuName(i),
    index: i,
    cpus: t.cpu?.cpus ?? DEFAULTS.cpuCores,
    memoryMb: t.cpu?.memoryMb ?? DEFAULTS.memoryMb,
  }));
  const cpuNames = cpus.map((c) => c.name);
  const known = (field: string, cpu: string) => {
    if (!cpuNames.includes(cpu)) throw new UsageError(`topology: ${field}: unknown CPU '${cpu}'; CPUs are ${cpuNames.join(", ")}`);
  };

  const planeNames: PlaneName[] = [...new Set(t.planes ?? PLANES)].sort();
  // The default service: a web pair on cpu-0/cpu-1, or a lone primary on a 1-CPU (classic) machine.
  const servicesIn = t.services ?? [{ name: "web", primary: "cpu-0", ...(n > 1 ? { backup: "cpu-1" } : {}) }];
  const seen = new Set<string>();
  const services: Service[] = servicesIn.map((s, i) => {
    if (seen.has(s.name)) throw new UsageError(`topology: services[${i}].name: '${s.name}' is used twice`);
    seen.add(s.name);
    known(`services[${i}].primary`, s.primary);
    if (s.backup !== undefined) {
      known(`services[${i}].backup`, s.backup);
      if (s.backup === s.primary) {
        throw new UsageError(`topology: services[${i}].backup: must be a different CPU from its primary (${s.primary}); a pair on one CPU dies with it`);
      }
    }
    return {
      name: s.name,
      port: s.port ?? DEFAULTS.servicePort + i,
      primary: s.primary,
      ...(s.backup !== undefined ? { backup: s.backup } : {}),
      address: `svc-${s.name}`,
      edgePort: EDGE_PORT_BASE + i,
    };
  });

  const mirrors = t.disks?.mirrors ?? DEFAULTS.mirrors;
  return {
    version: 1,
    lab,
    cpus,
    planes: planeNames.map((p) => ({ name: p, network: `servernet-${p}`, router: `router-${p}`, routerAddress: `router-${p}.servernet-${p}` })),
    edge: { network: "edge", router: "router-edge" },
    disks: Array.from({ length: mirrors }, (_, i) => {
      const name = `mirror-${String.fromCharCode(97 + i)}`;
      return { name, mount: `/disks/${name}` };
    }),
    services,
    heartbeat: { periodMs: t.heartbeat?.periodMs ?? DEFAULTS.periodMs, missed: t.heartbeat?.missed ?? DEFAULTS.missed },
    agentPort: DEFAULTS.agentPort,
  };
}
