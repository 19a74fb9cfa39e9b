// Networks: the planes (internal) and the edge, created and looked up by the lab's labels,
// and containers attached to and cut from them (node.isolate, reconcile).
import type Docker from "dockerode";
import { LABEL_LAB, LABEL_ROLE, labFilter, labLabels, type Role } from "./labels.js";
import { asRole, dockerName, isConflict, isNotFound, type LabNetwork } from "./model.js";

export class NetworkClient {
  constructor(private readonly docker: Docker) {}

  /** Creates a labelled bridge network, or returns the one already there. */
  async create(spec: { lab: string; role: Role; name: string; internal: boolean; subnet?: string; labels?: Record<string, string> }): Promise<LabNetwork> {
    const networkName = dockerName(spec.lab, spec.name);
    const existing = await this.find(networkName);
    if (existing) return existing;
    const net = await this.docker.createNetwork({
      Name: networkName,
      Driver: "bridge",
      Internal: spec.internal,
      CheckDuplicate: true,
      Labels: labLabels(spec.lab, spec.role, spec.name, spec.labels),
      ...(spec.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: spec.subnet }] } } : {}),
    });
    return { id: net.id, networkName, lab: spec.lab, role: spec.role, internal: spec.internal, ...(spec.subnet ? { subnet: spec.subnet } : {}) };
  }

  /** Networks of one lab, or of every lab. */
  async list(lab?: string): Promise<LabNetwork[]> {
    const list = await this.docker.listNetworks({ filters: { label: labFilter(lab) } });
    return list.map((n) => ({
      id: n.Id,
      networkName: n.Name,
      lab: n.Labels?.[LABEL_LAB] ?? "",
      role: asRole(n.Labels?.[LABEL_ROLE]),
      internal: n.Internal ?? false,
      ...(n.IPAM?.Config?.[0]?.Subnet ? { subnet: n.IPAM.Config[0].Subnet } : {}),
    }));
  }

  async find(networkName: string): Promise<LabNetwork | undefined> {
    return (await this.list()).find((n) => n.networkName === networkName);
  }

  /** The labels of a network, or undefined when it does not exist. */
  async labels(networkName: string): Promise<Record<string, string> | undefined> {
    try {
      const info = (await this.docker.getNetwork(networkName).inspect()) as { Labels?: Record<string, string> };
      return info.Labels ?? {};
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The subnet the engine gave a network (the edge's decides the service addresses). */
  async subnet(networkName: string): Promise<string | undefined> {
    const info = (await this.docker.getNetwork(networkName).inspect()) as { IPAM?: { Config?: { Subnet?: string }[] } };
    return info.IPAM?.Config?.[0]?.Subnet;
  }

  async connect(network: string, id: string, aliases: string[] = []): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: aliases } });
    } catch (err) {
      if (!isConflict(err, /already exists in network|already attached/)) throw err;
    }
  }

  async disconnect(network: string, id: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: id, Force: true });
    } catch (err) {
      if (!isConflict(err, /is not connected/)) throw err;
    }
  }

  /** How many containers the engine lists on a network. */
  async attached(id: string): Promise<number> {
    const info = (await this.docker.getNetwork(id).inspect()) as { Containers?: Record<string, unknown> };
    return Object.keys(info.Containers ?? {}).length;
  }

  /**
   * Removes a network. A network whose container was killed mid-teardown can keep a stale
   * endpoint: the engine answers "has active endpoints" (HTTP 403) while `docker network
   * inspect` lists no container. Force-disconnecting the endpoint, by the name of the
   * container it belonged to, clears it (`docker network disconnect -f`); the caller retries.
   */
  async remove(id: string, formerContainers: readonly string[] = []): Promise<void> {
    const net = this.docker.getNetwork(id);
    try {
      await net.remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 403) throw err;
      const info = (await net.inspect().catch(() => ({}))) as { Containers?: Record<string, { Name?: string }> };
      const attached = Object.entries(info.Containers ?? {}).map(([cid, c]) => c.Name ?? cid);
      for (const c of new Set([...attached, ...formerContainers])) await net.disconnect({ Container: c, Force: true }).catch(() => undefined);
      throw err;
    }
  }
}
