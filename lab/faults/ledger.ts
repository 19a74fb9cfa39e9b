// Where active faults live so that any process can find and heal them: each is a marker,
// a created-but-never-started container labelled with the fault record. It lives in the
// engine (not in one process's memory or a host file), carries the lab's labels, and is
// removed by `reap` like everything else.
import { dockerName, type Plumbing } from "../docker/plumbing.js";
import type { AnyFault } from "./target.js";

export const LABEL_FAULT = "nonstop.fault";

export interface FaultRecord {
  id: string;
  lab: string;
  fault: AnyFault;
  /** Epoch milliseconds. */
  injectedAt: number;
  /** What healing needs beyond the fault itself (its kind's apply returned it). */
  undo: unknown;
}

export function markerName(id: string): string {
  return `fault-${id}`;
}

export async function writeMarker(plumbing: Plumbing, image: string, record: FaultRecord): Promise<void> {
  await plumbing.container.create({
    lab: record.lab,
    role: "fault",
    name: markerName(record.id),
    image,
    // Never started; the command is only there so the record reads well in `docker ps -a`.
    entrypoint: ["true"],
    networks: [{ network: "none" }],
    labels: { [LABEL_FAULT]: JSON.stringify(record) },
  });
}

export async function removeMarker(plumbing: Plumbing, lab: string, id: string): Promise<void> {
  await plumbing.container.remove(dockerName(lab, markerName(id)));
}

/** Active faults of a lab, oldest first. */
export async function activeFaults(plumbing: Plumbing, lab: string): Promise<FaultRecord[]> {
  return (await plumbing.container.labelsOf(lab, "fault"))
    .map((labels) => JSON.parse(labels[LABEL_FAULT] ?? "null") as FaultRecord | null)
    .filter((r): r is FaultRecord => r !== null)
    .sort((a, b) => a.injectedAt - b.injectedAt);
}
