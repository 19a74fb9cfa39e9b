// Every Docker resource the lab makes carries these labels, so lookup and `nonstop reap`
// work from the Engine API alone, whichever process (or crashed run) created it.

export const LABEL_LAB = "nonstop.lab";
export const LABEL_ROLE = "nonstop.role";
/** What a resource is, for a CPU or a router its name (cpu-0, router-x). */
export const LABEL_NAME = "nonstop.name";

export const ROLES = ["cpu", "router", "service", "client", "plane", "edge", "disk", "net", "state", "fault", "tool", "app", "gate"] as const;
export type Role = (typeof ROLES)[number];

const LAB_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** Lab ids become parts of container and network names, so keep them to DNS-safe words. */
export function isLabId(id: string): boolean {
  return LAB_ID.test(id);
}

export function labLabels(lab: string, role: Role, name?: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_LAB]: lab, [LABEL_ROLE]: role, ...(name ? { [LABEL_NAME]: name } : {}), ...extra };
}

/** Engine API label filter for one lab, or for every lab when `lab` is undefined. */
export function labFilter(lab?: string, role?: Role): string[] {
  const f = [lab ? `${LABEL_LAB}=${lab}` : LABEL_LAB];
  if (role) f.push(`${LABEL_ROLE}=${role}`);
  return f;
}
