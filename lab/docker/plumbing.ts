// A small typed layer over dockerode that every other part of the lab uses: labelled
// creation, lookup by label, the verbs faults need (kill, pause, connect, disconnect) and
// Docker events as an async iterable. Raw Engine JSON stops here; callers get lab types.
import type Docker from "dockerode";
import { addAbortSignal, type Readable } from "node:stream";
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE, labFilter, labLabels, ROLES, type Role } from "./labels.js";

/**
 * A CPU quota as the kernel's CFS bandwidth control: `cores` of each 10 ms period, not of
 * Docker's default 100 ms (what `--cpus` sets). A half-core Node process that spent its
 * share in a burst was frozen for the rest of a 100 ms period, 50 ms and more, which with
 * the period of scheduling delay after it cost it heartbeats and got it suspected. The
 * same share of a 10 ms period freezes it for 5 ms at most. The kernel wants a quota of
 * at least 1 ms, so a very small share gets a longer period.
 */
export function cfsQuota(cores: number): { CpuPeriod: number; CpuQuota: number } {
  const period = Math.max(10_000, Math.ceil(1000 / cores));
  return { CpuPeriod: period, CpuQuota: Math.round(cores * period) };
}

export interface PublishedPort {
  container: number;
  hostIp: string;
  hostPort: number;
}

export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
export type Health = "healthy" | "unhealthy" | "starting" | "none";

export interface LabContainer {
  id: string;
  /** Docker's container name, e.g. nonstop-default-cpu-0. */
  containerName: string;
  /** The lab's name for it, e.g. cpu-0 or router-x. */
  name: string;
  lab: string;
  role: Role;
  image: string;
  state: ContainerState;
  health: Health;
  ports: PublishedPort[];
  /** Network name to this container's address on it. */
  addresses: Record<string, string>;
  labels: Record<string, string>;
}

export interface LabNetwork {
  id: string;
  networkName: string;
  lab: string;
  role: Role;
  internal: boolean;
  subnet?: string;
}

export interface LabVolume {
  volumeName: string;
  lab: string;
  role: Role;
}

export interface NetworkAttachment {
  network: string;
  aliases?: string[];
}

export interface Healthcheck {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs?: number;
}

export interface ContainerSpec {
  lab: string;
  role: Role;
  /** The lab's name for it; the Docker name becomes nonstop-<lab>-<name>. */
  name: string;
  image: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  /** The first network is joined at create time, the rest before start (API 1.41 allows one at create). */
  networks?: NetworkAttachment[];
  /** Container ports published on 127.0.0.1 at a port the engine picks. */
  publish?: number[];
  mounts?: { volume: string; target: string; readOnly?: boolean }[];
  cpus?: number;
  memoryMb?: number;
  capAdd?: string[];
  capDrop?: string[];
  healthcheck?: Healthcheck;
  hostname?: string;
  labels?: Record<string, string>;
  /** Share another container's network namespace ("container:<id>"), instead of `networks`. */
  networkMode?: string;
}

export interface LabEvent {
  /** Milliseconds since the epoch, from the engine's nanosecond clock. */
  time: number;
  type: "container" | "network" | "volume";
  action: string;
  id: string;
  lab: string;
  role?: Role;
  name?: string;
}

const NS_PER_MS = 1_000_000n;

export function dockerName(lab: string, name: string): string {
  return `nonstop-${lab}-${name}`;
}

function asRole(value: string | undefined): Role {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : "service";
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

function isConflict(err: unknown, pattern: RegExp): boolean {
  const e = err as { statusCode?: number; message?: string };
  return (e.statusCode === 304 || e.statusCode === 409 || e.statusCode === 500) && pattern.test(e.message ?? "");
}

/** Engine `ContainerInspect` JSON to a LabContainer. */
export function parseInspect(raw: Docker.ContainerInspectInfo): LabContainer {
  const labels = raw.Config.Labels ?? {};
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(raw.NetworkSettings.Ports ?? {})) {
    for (const b of bindings ?? []) {
      ports.push({ container: Number.parseInt(key, 10), hostIp: b.HostIp, hostPort: Number(b.HostPort) });
    }
  }
  const addresses: Record<string, string> = {};
  for (const [net, ep] of Object.entries(raw.NetworkSettings.Networks ?? {})) {
    if (ep.IPAddress) addresses[net] = ep.IPAddress;
  }
  const health = (raw.State as { Health?: { Status?: string } }).Health?.Status;
  return {
    id: raw.Id,
    containerName: raw.Name.replace(/^\//, ""),
    name: labels[LABEL_NAME] ?? raw.Name.replace(/^\//, ""),
    lab: labels[LABEL_LAB] ?? "",
    role: asRole(labels[LABEL_ROLE]),
    image: raw.Config.Image,
    state: raw.State.Status as ContainerState,
    health: health === "healthy" || health === "unhealthy" || health === "starting" ? health : "none",
    ports,
    addresses,
    labels,
  };
}

export class Plumbing {
  constructor(readonly docker: Docker) {}

  // ── create ────────────────────────────────────────────────────────────────

  async createNetwork(spec: {
    lab: string;
    role: Role;
    name: string;
    internal: boolean;
    subnet?: string;
    labels?: Record<string, string>;
  }): Promise<LabNetwork> {
    const networkName = dockerName(spec.lab, spec.name);
    const existing = await this.findNetwork(networkName);
    if (existing) return existing;
    const net = await this.docker.createNetwork({
      Name: networkName,
      Driver: "bridge",
      Internal: spec.internal,
      CheckDuplicate: true,
      Labels: labLabels(spec.lab, spec.role, spec.name, spec.labels),
      ...(spec.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: spec.subnet }] } } : {}),
    });
    return {
      id: net.id,
      networkName,
      lab: spec.lab,
      role: spec.role,
      internal: spec.internal,
      ...(spec.subnet ? { subnet: spec.subnet } : {}),
    };
  }

  async createVolume(spec: { lab: string; role: Role; name: string }): Promise<LabVolume> {
    const volumeName = dockerName(spec.lab, spec.name);
    await this.docker.createVolume({ Name: volumeName, Labels: labLabels(spec.lab, spec.role, spec.name) });
    return { volumeName, lab: spec.lab, role: spec.role };
  }

  /** Creates (but does not start) a labelled container; returns its id. */
  async createContainer(spec: ContainerSpec): Promise<string> {
    const [first, ...rest] = spec.networks ?? [];
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const port of spec.publish ?? []) {
      exposed[`${port}/tcp`] = {};
      // Loopback only: the host reaches lab containers through 127.0.0.1 and nowhere else.
      bindings[`${port}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: "" }];
    }
    const hc = spec.healthcheck;
    const container = await this.docker.createContainer({
      name: dockerName(spec.lab, spec.name),
      Image: spec.image,
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      ...(spec.hostname ? { Hostname: spec.hostname } : {}),
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: labLabels(spec.lab, spec.role, spec.name, spec.labels),
      ExposedPorts: exposed,
      ...(hc
        ? {
            Healthcheck: {
              Test: hc.test,
              Interval: hc.intervalMs * 1e6,
              Timeout: hc.timeoutMs * 1e6,
              Retries: hc.retries,
              StartPeriod: (hc.startPeriodMs ?? 0) * 1e6,
            },
          }
        : {}),
      HostConfig: {
        PortBindings: bindings,
        Mounts: (spec.mounts ?? []).map((m) => ({ Type: "volume", Source: m.volume, Target: m.target, ReadOnly: m.readOnly ?? false })),
        ...(spec.cpus ? cfsQuota(spec.cpus) : {}),
        ...(spec.memoryMb ? { Memory: spec.memoryMb * 1024 * 1024 } : {}),
        CapAdd: spec.capAdd ?? [],
        CapDrop: spec.capDrop ?? [],
        Privileged: false,
        Init: true,
        ...(spec.networkMode ? { NetworkMode: spec.networkMode } : first ? { NetworkMode: first.network } : {}),
      },
      ...(first && !spec.networkMode ? { NetworkingConfig: { EndpointsConfig: { [first.network]: { Aliases: first.aliases ?? [] } } } } : {}),
    });
    for (const att of rest) await this.connect(att.network, container.id, att.aliases);
    return container.id;
  }

  /** Running afterwards, whatever it was: a paused container is resumed, a stopped one started. */
  async ensureRunning(id: string): Promise<void> {
    const c = await this.inspect(id);
    if (c.state === "paused") await this.unpause(id);
    else if (c.state !== "running") await this.start(id);
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (!isConflict(err, /already started|is already running/)) throw err;
    }
  }

  /** Creates and starts; returns the inspected container. */
  async run(spec: ContainerSpec): Promise<LabContainer> {
    const id = await this.createContainer(spec);
    await this.start(id);
    return this.inspect(id);
  }

  // ── lookup ────────────────────────────────────────────────────────────────

  async inspect(idOrName: string): Promise<LabContainer> {
    return parseInspect(await this.docker.getContainer(idOrName).inspect());
  }

  async tryInspect(idOrName: string): Promise<LabContainer | undefined> {
    try {
      return await this.inspect(idOrName);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Containers of one lab (or of every lab), optionally of one role, inspected. */
  async containers(lab?: string, role?: Role): Promise<LabContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labFilter(lab, role) } });
    const found = await Promise.all(list.map((c) => this.tryInspect(c.Id)));
    return found.filter((c): c is LabContainer => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  async networks(lab?: string): Promise<LabNetwork[]> {
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

  async findNetwork(networkName: string): Promise<LabNetwork | undefined> {
    const all = await this.networks();
    return all.find((n) => n.networkName === networkName);
  }

  /** The labels of a network, or undefined when it does not exist. */
  async networkLabels(networkName: string): Promise<Record<string, string> | undefined> {
    try {
      const info = (await this.docker.getNetwork(networkName).inspect()) as { Labels?: Record<string, string> };
      return info.Labels ?? {};
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async volumes(lab?: string): Promise<LabVolume[]> {
    const res = await this.docker.listVolumes({ filters: { label: labFilter(lab) } });
    return (res.Volumes ?? []).map((v) => ({
      volumeName: v.Name,
      lab: v.Labels?.[LABEL_LAB] ?? "",
      role: asRole(v.Labels?.[LABEL_ROLE]),
    }));
  }

  /** Lab ids that have any labelled resource. */
  async labs(): Promise<string[]> {
    const ids = new Set<string>();
    for (const c of await this.docker.listContainers({ all: true, filters: { label: [LABEL_LAB] } })) ids.add(c.Labels[LABEL_LAB] ?? "");
    for (const n of await this.networks()) ids.add(n.lab);
    for (const v of await this.volumes()) ids.add(v.lab);
    ids.delete("");
    return [...ids].sort();
  }

  // ── verbs ─────────────────────────────────────────────────────────────────

  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      if (!isConflict(err, /is not running/)) throw err;
    }
  }

  async stop(id: string, timeoutS = 5): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutS });
    } catch (err) {
      // 304: already stopped, which is what was asked for.
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
  }

  async pause(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).pause();
    } catch (err) {
      if (!isConflict(err, /already paused/)) throw err;
    }
  }

  async unpause(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).unpause();
    } catch (err) {
      if (!isConflict(err, /is not paused/)) throw err;
    }
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

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err, /already in progress/)) throw err;
    }
  }

  async restart(id: string, timeoutS = 1): Promise<void> {
    await this.docker.getContainer(id).restart({ t: timeoutS });
  }

  /** Changes a running container's CPU quota (cores) without restarting it. */
  async setCpus(id: string, cores: number): Promise<void> {
    await this.docker.getContainer(id).update(cfsQuota(cores));
  }

  /** CPU time the container's cgroup has used since it started, in nanoseconds (one stats sample). */
  async cpuTimeNs(id: string): Promise<number> {
    const stats = (await this.docker.getContainer(id).stats({ stream: false })) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
    return stats.cpu_stats?.cpu_usage?.total_usage ?? 0;
  }

  /** Memory the container's cgroup uses now, in bytes (one stats sample). */
  async memoryUsage(id: string): Promise<number> {
    const stats = (await this.docker.getContainer(id).stats({ stream: false })) as { memory_stats?: { usage?: number } };
    return stats.memory_stats?.usage ?? 0;
  }

  /** Runs a command inside a running container; resolves with its exit code and output. */
  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = await collectDemuxed(this.docker, stream);
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, ...out };
  }

  /**
   * Runs a short-lived labelled helper container to completion (e.g. a disk tool that mounts
   * a mirror), returns its exit code and output, and removes it.
   */
  async runOnce(spec: ContainerSpec & { timeoutMs?: number }): Promise<ExecResult> {
    const id = await this.createContainer(spec);
    try {
      const c = this.docker.getContainer(id);
      await c.start();
      const timeout = spec.timeoutMs ?? 60_000;
      const res = (await Promise.race([
        c.wait(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`${spec.name} did not finish in ${timeout} ms`)), timeout).unref()),
      ])) as { StatusCode: number };
      const logs = await c.logs({ stdout: true, stderr: true, follow: false });
      return { exitCode: res.StatusCode, ...demuxBuffer(logs) };
    } finally {
      await this.remove(id);
    }
  }

  // ── events ────────────────────────────────────────────────────────────────

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

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Splits Docker's multiplexed log format (8-byte frame headers) into stdout and stderr. */
export function demuxBuffer(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const len = buf.readUInt32BE(off + 4);
    (kind === 2 ? err : out).push(buf.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

function collectDemuxed(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sink = (into: Buffer[]) => ({ write: (b: Buffer) => (into.push(Buffer.from(b)), true) }) as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(stream, sink(out), sink(err));
    stream.on("end", () => resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    stream.on("error", reject);
  });
}

/** One line of the Engine's event stream to a LabEvent (undefined for kinds the lab ignores). */
export function parseEvent(line: string): LabEvent | undefined {
  const raw = JSON.parse(line) as {
    Type?: string;
    Action?: string;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
    timeNano?: number;
    time?: number;
  };
  if (raw.Type !== "container" && raw.Type !== "network" && raw.Type !== "volume") return undefined;
  const attrs = raw.Actor?.Attributes ?? {};
  const time = raw.timeNano !== undefined ? Number(BigInt(raw.timeNano) / NS_PER_MS) : (raw.time ?? 0) * 1000;
  const role = attrs[LABEL_ROLE];
  const name = attrs[LABEL_NAME];
  return {
    time,
    type: raw.Type,
    action: raw.Action ?? "",
    id: raw.Actor?.ID ?? "",
    lab: attrs[LABEL_LAB] ?? "",
    ...(role ? { role: asRole(role) } : {}),
    ...(name ? { name } : {}),
  };
}
