// Where a lab's parts (its CPUs and routers) are, as the rest of the lab needs to know it:
// which container is a part now, on which engine, and at which 127.0.0.1 port the host
// reaches it. On one host that is a container named nonstop-<lab>-<name> with its own
// published ports. On Swarm (../swarm/parts.ts) it is the newest task of the part's
// service, on whichever node runs it, reached through the lab's port gate. Status, faults
// and heals ask this, so they work on either.
import { dockerName, type LabContainer, type Plumbing } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import type { Topology } from "../topology/types.js";

export type EngineKind = "host" | "swarm";

/** A part's container now, and the engine that runs it. */
export interface Located {
  plumbing: Plumbing;
  id: string;
}

export interface Parts {
  readonly engine: EngineKind;
  /** The lab's containers, their `ports` as the host reaches them. */
  list(): Promise<LabContainer[]>;
  locate(name: string): Promise<Located>;
  /** A part's port as the host reaches it: http://127.0.0.1:<port>; throws when the part is not running. */
  url(name: string, port: number): Promise<string>;
  /** A part running again, whatever it was: resumed, started, or (Swarm) given a new task. */
  start(name: string): Promise<void>;
  /** Stops a part and brings it back: the same container on one host, a new task on Swarm. */
  restart(name: string, timeoutS: number): Promise<void>;
}

/** The edge network's labels that describe a lab: the topology, the engine and (Swarm) the nodes' endpoints. */
export const LABEL_TOPOLOGY = "nonstop.topology";
export const LABEL_ENGINE = "nonstop.engine";
export const LABEL_NODES = "nonstop.nodes";

export interface LabRecord {
  topology: Topology;
  engine: EngineKind;
  /** Node hostname to the engine endpoint the lab reaches it by (Swarm, nodes other than this one). */
  nodes: Record<string, string>;
}

export async function readLabRecord(plumbing: Plumbing, lab: string, edgeNetwork = "edge"): Promise<LabRecord | undefined> {
  const labels = await plumbing.network.labels(dockerName(lab, edgeNetwork));
  const raw = labels?.[LABEL_TOPOLOGY];
  if (!raw) return undefined;
  return {
    topology: JSON.parse(raw) as Topology,
    engine: labels[LABEL_ENGINE] === "swarm" ? "swarm" : "host",
    nodes: labels[LABEL_NODES] ? (JSON.parse(labels[LABEL_NODES]) as Record<string, string>) : {},
  };
}

/** Parts on one engine, each a container named for the lab and the part. */
export function hostParts(plumbing: Plumbing, lab: string): Parts {
  return {
    engine: "host",
    list: () => plumbing.container.list(lab),
    locate: (name) => Promise.resolve({ plumbing, id: dockerName(lab, name) }),
    url: async (name, port) => {
      const c = await plumbing.container.tryInspect(dockerName(lab, name));
      const p = c?.ports.find((x) => x.container === port);
      if (!c || c.state !== "running" || !p) throw new LabError(`${name} of lab ${lab} is not running`);
      return `http://127.0.0.1:${p.hostPort}`;
    },
    start: (name) => plumbing.container.ensureRunning(dockerName(lab, name)),
    restart: (name, timeoutS) => plumbing.container.restart(dockerName(lab, name), timeoutS),
  };
}
