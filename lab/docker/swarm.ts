// Swarm: what the lab asks a manager (is this engine one, which nodes, which task of a
// service runs where) and the few things it changes (a node's placement label, a service's
// new task, removing a lab's services and configs). Raw Engine JSON stops here, as in the
// other clients; the manager's answers are typed by the little the lab reads of them.
import type Docker from "dockerode";
import { LABEL_LAB, labFilter } from "./labels.js";
import { isNotFound } from "./model.js";

export interface SwarmState {
  /** `active` when this engine is in a swarm. */
  state: string;
  nodeId: string;
  /** Whether this engine is a manager (can deploy and read tasks). */
  manager: boolean;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: "manager" | "worker";
  ready: boolean;
  /** `active` nodes take tasks; `pause` and `drain` do not. */
  availability: string;
  labels: Record<string, string>;
  /** The address the node advertises to the swarm. */
  addr: string;
}

export interface SwarmTask {
  id: string;
  nodeId: string;
  /** The task's container on its node, once it has one. */
  containerId?: string;
  state: string;
  desired: string;
  /** When the task was created, for telling the newest apart. */
  createdAt: string;
}

interface RawNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role?: string; Availability?: string; Labels?: Record<string, string> } & Record<string, unknown>;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
}

interface RawTask {
  ID: string;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: { State?: string; ContainerStatus?: { ContainerID?: string } };
}

interface RawService {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; TaskTemplate: { ForceUpdate?: number } & Record<string, unknown> } & Record<string, unknown>;
}

export class SwarmClient {
  constructor(private readonly docker: Docker) {}

  async state(): Promise<SwarmState> {
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };
    return { state: info.Swarm?.LocalNodeState ?? "inactive", nodeId: info.Swarm?.NodeID ?? "", manager: info.Swarm?.ControlAvailable ?? false };
  }

  async nodes(): Promise<SwarmNode[]> {
    const raw = (await this.docker.listNodes()) as RawNode[];
    return raw
      .map((n) => ({
        id: n.ID,
        hostname: n.Description?.Hostname ?? n.ID,
        role: n.Spec.Role === "manager" ? ("manager" as const) : ("worker" as const),
        ready: n.Status?.State === "ready",
        availability: n.Spec.Availability ?? "active",
        labels: n.Spec.Labels ?? {},
        addr: n.Status?.Addr ?? "",
      }))
      .sort((a, b) => (a.role === b.role ? a.hostname.localeCompare(b.hostname) : a.role === "manager" ? -1 : 1));
  }

  /** Sets a label on a node (kept with the node's other labels). */
  async labelNode(id: string, key: string, value: string): Promise<void> {
    const node = this.docker.getNode(id);
    const raw = (await node.inspect()) as RawNode;
    await node.update({ version: raw.Version.Index, ...raw.Spec, Labels: { ...(raw.Spec.Labels ?? {}), [key]: value } });
  }

  /** The tasks of one service, newest first. */
  async tasks(service: string): Promise<SwarmTask[]> {
    const raw = (await this.docker.listTasks({ filters: { service: [service] } })) as RawTask[];
    return raw
      .map((t) => ({
        id: t.ID,
        nodeId: t.NodeID ?? "",
        ...(t.Status?.ContainerStatus?.ContainerID ? { containerId: t.Status.ContainerStatus.ContainerID } : {}),
        state: t.Status?.State ?? "",
        desired: t.DesiredState ?? "",
        createdAt: t.CreatedAt ?? "",
      }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * A new task for a service whose task has ended (restart policy `none` leaves it ended):
   * the same spec with its force-update counter moved on, which is what
   * `docker service update --force` does.
   */
  async newTask(service: string): Promise<void> {
    const s = this.docker.getService(service);
    const raw = (await s.inspect()) as RawService;
    const template = raw.Spec.TaskTemplate;
    await s.update({ version: raw.Version.Index, ...raw.Spec, TaskTemplate: { ...template, ForceUpdate: (template.ForceUpdate ?? 0) + 1 } });
  }

  /**
   * The id of the swarm-scoped network of that name, the newest if a removed one of the
   * same name is still listed (a lab brought down and up again at once).
   */
  async networkId(name: string): Promise<string | undefined> {
    const raw = (await this.docker.listNetworks({ filters: { name: [name], scope: ["swarm"] } })) as { Id: string; Name: string; Created?: string }[];
    return raw.filter((n) => n.Name === name).sort((a, b) => (b.Created ?? "").localeCompare(a.Created ?? ""))[0]?.Id;
  }

  /** A lab's services (or every lab's), by id, name and lab. */
  async services(lab?: string): Promise<{ id: string; name: string; lab: string }[]> {
    const raw = (await this.docker.listServices({ filters: { label: labFilter(lab) } })) as unknown as (RawService & { Spec: { Labels?: Record<string, string> } })[];
    return raw.map((s) => ({ id: s.ID, name: s.Spec.Name, lab: s.Spec.Labels?.[LABEL_LAB] ?? "" }));
  }

  async removeService(id: string): Promise<void> {
    await this.docker
      .getService(id)
      .remove()
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  async configs(lab?: string): Promise<{ id: string; name: string }[]> {
    const raw = (await this.docker.listConfigs({ filters: { label: labFilter(lab) } })) as { ID: string; Spec?: { Name?: string } }[];
    return raw.map((c) => ({ id: c.ID, name: c.Spec?.Name ?? c.ID }));
  }

  async removeConfig(id: string): Promise<void> {
    await this.docker
      .getConfig(id)
      .remove()
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }
}
