// A lab whose system under test is a user's Compose project: the record that says so, kept
// in the engine like the fault ledger (a labelled, never-started container), and the
// project's containers as the lab addresses them.
//
// A container is addressed by its Compose service and replica number: `db` is the first
// (and usually only) replica, `db.2` the second, `db.*` every replica.
import { z } from "zod";
import { dockerName, type LabContainer, type Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";

export const LABEL_SYSTEM = "nonstop.system";
const RECORD = "system";

export const SystemRecord = z.object({
  kind: z.literal("compose"),
  /** The Compose project's name. */
  project: z.string(),
  /** The user's Compose files, when the lab brought the project up. */
  files: z.array(z.string()),
  /** Brought up by the lab (down removes the project), or adopted (down leaves it running). */
  owned: z.boolean(),
  since: z.number(),
  /** The lab's router image (Toxiproxy), for link faults. */
  routerImage: z.string().optional(),
});
export type SystemRecord = z.infer<typeof SystemRecord>;

export async function writeSystem(plumbing: Plumbing, image: string, lab: string, record: SystemRecord): Promise<void> {
  await plumbing.container.create({ lab, role: "state", name: RECORD, image, entrypoint: ["true"], networks: [{ network: "none" }], labels: { [LABEL_SYSTEM]: JSON.stringify(record) } });
}

/** The Docker name of a lab's system record. */
export function systemRecordName(lab: string): string {
  return dockerName(lab, RECORD);
}

/** The lab's system record and the image it was made from (the lab's tool image), or undefined for a lab of the Tandem machine. */
export async function readSystemMarker(plumbing: Plumbing, lab: string): Promise<{ record: SystemRecord; image: string } | undefined> {
  const marker = await plumbing.container.tryInspect(systemRecordName(lab));
  const raw = marker?.labels[LABEL_SYSTEM];
  if (!marker || !raw) return undefined;
  const r = SystemRecord.safeParse(JSON.parse(raw));
  return r.success ? { record: r.data, image: marker.image } : undefined;
}

/** The lab's system record, or undefined for a lab of the Tandem machine (or no lab at all). */
export async function readSystem(plumbing: Plumbing, lab: string): Promise<SystemRecord | undefined> {
  return (await readSystemMarker(plumbing, lab))?.record;
}

export interface AppContainer {
  /** How the lab names it: `api` for the first replica, `api.2` for the second. */
  target: string;
  service: string;
  index: number;
  container: LabContainer;
}

const COMPOSE_PROJECT = "com.docker.compose.project";
const COMPOSE_SERVICE = "com.docker.compose.service";
const COMPOSE_NUMBER = "com.docker.compose.container-number";
const COMPOSE_ONEOFF = "com.docker.compose.oneoff";

export function targetName(service: string, index: number): string {
  return index === 1 ? service : `${service}.${index}`;
}

/** The project's service containers (not `compose run` one-offs), by service and replica. */
export async function appContainers(plumbing: Plumbing, project: string): Promise<AppContainer[]> {
  const found = await plumbing.container.withLabel(`${COMPOSE_PROJECT}=${project}`);
  return found
    .filter((c) => c.labels[COMPOSE_ONEOFF] !== "True" && c.labels[COMPOSE_SERVICE])
    .map((c) => {
      const service = c.labels[COMPOSE_SERVICE] ?? "";
      const index = Number(c.labels[COMPOSE_NUMBER] ?? "1") || 1;
      return { target: targetName(service, index), service, index, container: c };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.index - b.index);
}

/** What faults are checked against: the project's services and containers, read once before acting. */
export interface AppSnapshot {
  lab: string;
  project: string;
  services: string[];
  containers: AppContainer[];
}

/**
 * The containers a target names (`db`, `db.2`, `db.*`, or a list: `redis1,redis2`), running; otherwise a one-line
 * usage error naming the field: an unknown service lists the services, a missing replica
 * the replicas, a stopped container its state.
 */
export function select(snap: AppSnapshot, field: string, target: string, opts: { running?: boolean } = {}): AppContainer[] {
  if (target.includes(",")) {
    // A list: each part on its own, each container once (`db,db.*` names db once).
    const seen = new Set<string>();
    return target
      .split(",")
      .map((t) => t.trim())
      .flatMap((t) => select(snap, field, t, opts))
      .filter((c) => !seen.has(c.target) && seen.add(c.target));
  }
  const m = /^([^.]+)(?:\.(\d+|\*))?$/.exec(target);
  const service = m?.[1] ?? target;
  if (!m || !snap.services.includes(service)) throw new UsageError(`${field}: no service '${service}' in project ${snap.project}; services: ${snap.services.join(", ")}`);
  const mine = snap.containers.filter((c) => c.service === service);
  const picked = m[2] === "*" ? mine : mine.filter((c) => c.index === Number(m[2] ?? "1"));
  if (picked.length === 0) throw new UsageError(`${field}: ${target} has no container; ${service}'s are ${mine.map((c) => c.target).join(", ") || "none (is the project up?)"}`);
  if (opts.running ?? true) {
    const down = picked.find((c) => c.container.state !== "running");
    if (down) throw new UsageError(`${field}: ${down.target} is not running (it is ${down.container.state}); start it, or heal: nonstop heal --lab ${snap.lab}`);
  }
  return picked;
}
