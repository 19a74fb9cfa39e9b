// The lab's one door to the Docker Engine: every other part of the lab reaches Docker
// through a Plumbing, split by resource after testcontainers' ContainerClient and
// NetworkClient: `plumbing.container`, `plumbing.network`, `plumbing.volume`, and here
// `plumbing.swarm` for a manager's services and tasks, and here the lab-wide calls (which labs exist, the event stream). Raw Engine JSON stops in
// these clients; callers get the lab's types (./model.ts). The image builder
// (lab/images/) is the one other user of dockerode: building and importing images.
import type Docker from "dockerode";
import { addAbortSignal, type Readable } from "node:stream";
import { ContainerClient } from "./containers.js";
import { LABEL_LAB, labFilter } from "./labels.js";
import { parseEvent, type LabEvent } from "./model.js";
import { NetworkClient } from "./networks.js";
import { SwarmClient } from "./swarm.js";
import { VolumeClient } from "./volumes.js";

export * from "./model.js";

export class Plumbing {
  readonly network: NetworkClient;
  readonly container: ContainerClient;
  readonly volume: VolumeClient;
  /** The manager's side, for a lab deployed as a Swarm stack (lab/swarm/). */
  readonly swarm: SwarmClient;

  constructor(readonly docker: Docker) {
    this.network = new NetworkClient(docker);
    this.container = new ContainerClient(docker, this.network);
    this.volume = new VolumeClient(docker);
    this.swarm = new SwarmClient(docker);
  }

  /** Lab ids that have any labelled resource. */
  async labs(): Promise<string[]> {
    const ids = new Set<string>();
    for (const c of await this.docker.listContainers({ all: true, filters: { label: [LABEL_LAB] } })) ids.add(c.Labels[LABEL_LAB] ?? "");
    for (const n of await this.network.list()) ids.add(n.lab);
    for (const v of await this.volume.list()) ids.add(v.lab);
    // A Swarm lab whose deploy was cut short may have services and nothing else yet.
    if ((await this.swarm.state().catch(() => undefined))?.manager) for (const s of await this.swarm.services()) ids.add(s.lab);
    ids.delete("");
    return [...ids].sort();
  }

  /**
   * Docker events for labelled resources, as they happen, until `signal` aborts. The
   * stream is handed over as it arrives, never buffered to the end.
   */
  async *events(opts: { lab?: string; signal: AbortSignal; since?: Date }): AsyncGenerator<LabEvent> {
    if (opts.signal.aborted) return;
    const stream = (await this.docker.getEvents({
      filters: { label: labFilter(opts.lab) },
      ...(opts.since ? { since: Math.floor(opts.since.getTime() / 1000) } : {}),
    })) as unknown as Readable;
    // Aborting destroys the stream, which ends the iteration below (readline would not end
    // on a destroyed input, so lines are split here).
    addAbortSignal(opts.signal, stream);
    let pending = "";
    try {
      for await (const chunk of stream) {
        pending += (chunk as Buffer).toString("utf8");
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          const ev = line ? parseEvent(line) : undefined;
          if (ev) yield ev;
        }
      }
    } catch (err) {
      if (!opts.signal.aborted) throw err;
    } finally {
      stream.destroy();
    }
  }
}
