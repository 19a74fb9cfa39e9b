// Faults aimed by role: `primary:<probe group>` in a fault's target (or a partition
// group's member, or a link's `from`) names whichever container of that probe group says
// it is primary at the moment the fault is injected. A run that kills "the primary" ten
// times then kills ten different containers as the role moves, as Jepsen's nemeses do.
import { LabError, UsageError } from "../errors.js";

const ROLE = /^primary:([A-Za-z0-9_-]+)$/;

/** A copy of `fault` with every `primary:<group>` replaced by `resolve(group)`. */
function mapRoles(fault: unknown, resolve: (group: string) => string): unknown {
  if (typeof fault !== "object" || fault === null) return fault;
  const f = fault as Record<string, unknown>;
  const one = (v: unknown) => {
    if (typeof v !== "string") return v;
    const m = ROLE.exec(v);
    return m?.[1] ? resolve(m[1]) : v;
  };
  const out: Record<string, unknown> = { ...f };
  for (const k of ["target", "from"]) if (k in f) out[k] = one(f[k]);
  if (Array.isArray(f.groups)) out.groups = f.groups.map((g: unknown) => (Array.isArray(g) ? g.map(one) : g));
  return out;
}

/** Whether a fault names a container by role. */
export function namesRole(fault: unknown): boolean {
  let found = false;
  mapRoles(fault, () => {
    found = true;
    return "";
  });
  return found;
}

/** For checking before the run: a role stands for every container its probe group samples. */
export function roleForCheck(fault: unknown, probes: Record<string, { targets: string }>, field: string): unknown {
  return mapRoles(fault, (group) => {
    const p = probes[group];
    if (!p) throw new UsageError(`${field}: primary:${group} names no probe group; groups: ${Object.keys(probes).join(", ") || "none (add probes: to the scenario)"}`);
    return p.targets;
  });
}

/** At injection: the role's holder now, by the probes' last round (several, when several say so). */
export function roleNow(fault: unknown, primaries: (group: string) => string[]): unknown {
  return mapRoles(fault, (group) => {
    const now = primaries(group);
    if (now.length === 0) throw new LabError(`primary:${group}: no container of probe group ${group} says it is primary now`);
    return now.join(",");
  });
}
