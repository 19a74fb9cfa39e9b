// A lab's parts on Swarm: each CPU and router is a service of one task. Its container now
// is the newest task's, on the node the manager says; the lab reaches that node's engine
// locally when it is this one and through the endpoint the user gave (`--node NAME=URL`)
// otherwise. Ports are the gate's (./gate.ts).
import { connectEngine } from "../docker/engine.js";
import { Plumbing, type LabContainer, type PublishedPort } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import type { LabRecord, Located, Parts } from "../machine/parts.js";
import { waitFor } from "../util/http.js";
import { gateEntries } from "./gate.js";
import { serviceName } from "./stack.js";

/** The engines of a swarm lab's nodes: this one, and each endpoint the user gave, connected once. */
export class NodeEngines {
  private readonly remote = new Map<string, Promise<Plumbing>>();
  private localId: Promise<string> | undefined;

  constructor(
    readonly local: Plumbing,
    private readonly endpoints: Record<string, string>,
  ) {}

  /** Node id to hostname, asked of the manager once per node rather than on every call. */
  private readonly names = new Map<string, string>();

  /** The engine that runs a task on node `nodeId`. */
  async of(nodeId: string): Promise<Plumbing> {
    this.localId ??= this.local.swarm.state().then((s) => s.nodeId);
    if (nodeId === (await this.localId)) return this.local;
    if (!this.names.has(nodeId)) for (const n of await this.local.swarm.nodes()) this.names.set(n.id, n.hostname);
    const name = this.names.get(nodeId) ?? nodeId;
    const endpoint = this.endpoints[name] ?? this.endpoints[nodeId];
    if (!endpoint) throw new LabError(`node ${name} runs a part of this lab, and the lab has no endpoint for its engine; bring the lab up with --node ${name}=tcp://HOST:2375 (or ssh://USER@HOST)`);
    return this.connect(endpoint);
  }

  private connect(endpoint: string): Promise<Plumbing> {
    let p = this.remote.get(endpoint);
    if (!p) {
      p = connectEngine({ host: endpoint }).then((d) => new Plumbing(d));
      this.remote.set(endpoint, p);
    }
    return p;
  }

  /** Every engine the lab may have containers on. */
  async all(): Promise<Plumbing[]> {
    return [this.local, ...(await Promise.all(Object.values(this.endpoints).map((e) => this.connect(e))))];
  }
}

function cpuCores(record: LabRecord, name: string): number | undefined {
  return record.topology.cpus.find((c) => c.name === name)?.cpus;
}

export function swarmParts(plumbing: Plumbing, record: LabRecord): Parts {
  const t = record.topology;
  const lab = t.lab;
  const engines = new NodeEngines(plumbing, record.nodes);
  const entries = gateEntries(t);

  /** The newest task of a part's service that has a container. */
  const current = async (name: string) => (await plumbing.swarm.tasks(serviceName(lab, name))).find((k) => k.containerId);

  const locate = async (name: string): Promise<Located> => {
    const task = await current(name);
    if (!task?.containerId) throw new LabError(`${name} of lab ${lab} has no task with a container yet`);
    return { plumbing: await engines.of(task.nodeId), id: task.containerId };
  };

  /** The gate's published ports, as container port → 127.0.0.1 port; fixed once it runs (no fault touches the gate), so asked once. */
  let gateKnown: Map<number, number> | undefined;
  const gatePorts = async (): Promise<Map<number, number>> => {
    if (gateKnown) return gateKnown;
    const gate = (await plumbing.container.list(lab, "gate"))[0];
    const ports = new Map((gate?.ports ?? []).map((p) => [p.container, p.hostPort]));
    if (gate?.state === "running" && ports.size > 0) gateKnown = ports;
    return ports;
  };

  const portsOf = (name: string, gate: Map<number, number>): PublishedPort[] =>
    entries.filter((e) => e.part === name).flatMap((e) => {
      const hostPort = gate.get(e.listen);
      return hostPort ? [{ container: e.port, hostIp: "127.0.0.1", hostPort }] : [];
    });

  const start = async (name: string): Promise<void> => {
    const task = await current(name);
    const where = task?.containerId ? { plumbing: await engines.of(task.nodeId), id: task.containerId } : undefined;
    const c = where ? await where.plumbing.container.tryInspect(where.id) : undefined;
    if (where && c?.state === "paused") return where.plumbing.container.unpause(where.id);
    if (c?.state === "running") return;
    // An ended task is not started again (Swarm owns it); the service is given a new one.
    await plumbing.swarm.newTask(serviceName(lab, name));
    const fresh = await waitFor(
      `${name} to get a new task`,
      async () => {
        const k = await current(name);
        return k && k.id !== task?.id && k.state === "running" ? k : undefined;
      },
      30_000,
      100,
    );
    const cores = cpuCores(record, name);
    if (cores !== undefined && fresh.containerId) await (await engines.of(fresh.nodeId)).container.setCpus(fresh.containerId, cores);
  };

  return {
    engine: "swarm",
    locate,
    list: async () => {
      const [gate, perEngine] = await Promise.all([gatePorts(), engines.all().then((all) => Promise.all(all.map((e) => e.container.list(lab))))]);
      const found = perEngine.flat();
      const parts = new Set([...t.cpus.map((c) => c.name), ...t.planes.map((p) => p.router), t.edge.router]);
      // A part's ended tasks keep their containers (Swarm's task history); the newest task's is the part.
      const currentIds = new Set((await Promise.all([...parts].map((n) => current(n)))).map((k) => k?.containerId));
      const out: LabContainer[] = [];
      for (const c of found) {
        if (!parts.has(c.name)) out.push(c);
        else if (currentIds.has(c.id)) out.push({ ...c, ports: portsOf(c.name, gate) });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },
    url: async (name, port) => {
      const where = await locate(name);
      const c = await where.plumbing.container.tryInspect(where.id);
      const entry = entries.find((e) => e.part === name && e.port === port);
      const hostPort = entry ? (await gatePorts()).get(entry.listen) : undefined;
      if (!c || c.state !== "running" || !hostPort) throw new LabError(`${name} of lab ${lab} is not running`);
      return `http://127.0.0.1:${hostPort}`;
    },
    start,
    // A task's container started again would have lost its networks with its task (Swarm
    // releases them when the task ends); the part comes back as a new task instead.
    restart: async (name, timeoutS) => {
      const where = await locate(name);
      await where.plumbing.container.stop(where.id, timeoutS);
      await start(name);
    },
  };
}
