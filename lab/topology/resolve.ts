// The one function that turns the user-written form into the complete, trusted Topology.
// Every error names its field path and the allowed values, as one line (exit 2).
import type { z } from "zod";
import { UsageError } from "../errors.js";
import { cpuName, EDGE_PORT_BASE } from "./links.js";
import { TopologyInputSchema, type ServiceInput } from "./schema.js";
import { PLANES, SERVICE_KINDS, type Cpu, type PlaneName, type Service, type ServiceKind, type Topology } from "./types.js";

export const DEFAULTS = {
  cpus: 4,
  cpuCores: 0.5,
  memoryMb: 256,
  mirrors: 2,
  periodMs: 50,
  missed: 3,
  servicePort: 8081,
  agentPort: 8080,
  servernetPort: 7070,
} as const;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/**
 * A union that matched no branch says only "Invalid input". The branch that got furthest
 * into the value (its first issue deepest) is the one the user meant: an inject whose
 * fault is wrong, not a heal with a missing `heal` field. Its issue is reported instead,
 * at the union's path joined to its own.
 */
function deepest(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || !("errors" in issue) || issue.errors.length === 0) return issue;
  const branches = issue.errors.map((b) => b[0]).filter((b): b is z.core.$ZodIssue => b !== undefined);
  const best = branches.reduce<z.core.$ZodIssue | undefined>((a, b) => (!a || b.path.length > a.path.length ? b : a), undefined);
  if (!best || best.path.length === 0) return issue;
  return deepest({ ...best, path: [...issue.path, ...best.path] });
}

export function formatZodError(prefix: string, err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return `${prefix}: invalid`;
  const issue = deepest(first);
  const where = fieldPath(issue.path);
  let msg = issue.message;
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_value" && "values" in issue && input !== undefined) msg = `${msg} (got ${JSON.stringify(input)})`;
  if (issue.code === "unrecognized_keys") msg = `unknown field(s) ${issue.keys.join(", ")}`;
  return `${prefix}: ${where ? `${where}: ` : ""}${msg}`;
}

/**
 * Every service of the paper, as `services: "all"` asks: the primaries together on cpu-0
 * and the backups on cpu-1, so one CPU failure meets every service at once (the survival
 * scorecard). Files run twice, once per cache mode, to show the difference.
 */
export function paperServices(cpus: number): ServiceInput[] {
  const pair = { primary: "cpu-0", ...(cpus > 1 ? { backup: "cpu-1" } : {}) };
  return [
    { name: "web", ...pair },
    { name: "transactions", ...pair },
    { name: "mail", ...pair },
    { name: "downloads", ...pair },
    { name: "files", cache: "write-through", ...pair },
    { name: "files-wb", kind: "files", cache: "write-back", ...pair },
    { name: "session", ...pair },
  ];
}

function kindOf(s: ServiceInput): ServiceKind {
  return s.kind ?? (SERVICE_KINDS as readonly string[]).find((k) => k === s.name) as ServiceKind | undefined ?? "web";
}

export function resolveTopology(input: unknown, lab: string): Topology {
  const raw = (input ?? {}) as Record<string, unknown>;
  const cpusIn = typeof raw.cpus === "number" ? raw.cpus : DEFAULTS.cpus;
  const expanded = raw.services === "all" ? { ...raw, services: paperServices(cpusIn) } : raw;
  const parsed = TopologyInputSchema.safeParse(expanded, { reportInput: true });
  if (!parsed.success) {
    const msg = formatZodError("topology", parsed.error);
    // The one form outside the schema's own words.
    throw new UsageError(typeof raw.services === "string" && raw.services !== "all" ? `topology: services: a list of services, or "all" (got '${raw.services}')` : msg);
  }
  const t = parsed.data;

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
    const kind = kindOf(s);
    if (s.cache !== undefined && kind !== "files") throw new UsageError(`topology: services[${i}].cache: only a files service has a cache (this one is ${kind})`);
    return {
      name: s.name,
      kind,
      ...(kind === "files" ? { cache: s.cache ?? "write-through" } : {}),
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
    heartbeat: { periodMs: t.heartbeat?.periodMs ?? DEFAULTS.periodMs, missed: t.heartbeat?.missed ?? DEFAULTS.missed, endedLinks: t.heartbeat?.endedLinks ?? true },
    agentPort: DEFAULTS.agentPort,
    servernetPort: DEFAULTS.servernetPort,
  };
}
