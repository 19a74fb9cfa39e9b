// Which `Parts` a lab has: one host's, or Swarm's (../swarm/parts.ts), as the lab's record
// on its edge network says it runs. Apart from ./parts.ts so that the Swarm driver, which
// implements that interface, is not also imported by it.
import type { Plumbing } from "../docker/plumbing.js";
import { swarmParts } from "../swarm/parts.js";
import { hostParts, type LabRecord, type Parts } from "./parts.js";

/** The parts of a lab as its record says it runs; one host when there is no record. */
export function partsOf(plumbing: Plumbing, lab: string, record?: LabRecord): Parts {
  return record?.engine === "swarm" ? swarmParts(plumbing, record) : hostParts(plumbing, lab);
}
