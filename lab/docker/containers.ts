// Containers: created with the lab's labels and loopback-only ports, looked up by label,
// and the verbs that faults need (kill, stop, pause, restart, quota, exec), each tolerant
// of the state it asks for already holding, so that a heal can always be repeated.
import type Docker from "dockerode";
import { labFilter, labLabels, type Role } from "./labels.js";
import { cfsQuota, collectDemuxed, demuxBuffer, dockerName, isConflict, isNotFound, parseInspect, type ContainerSpec, type ExecResult, type LabContainer } from "./model.js";
import type { NetworkClient } from "./networks.js";

export class ContainerClient {
  constructor(
    private readonly docker: Docker,
    private readonly networks: NetworkClient,
  ) {}

  /** Creates (but does not start) a labelled container; returns its id. */
  async create(spec: ContainerSpec): Promise<string> {
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
        ...(spec.pidMode ? { PidMode: spec.pidMode } : {}),
        ...(spec.volumesFrom ? { VolumesFrom: spec.volumesFrom } : {}),
        ...(spec.restartOnFailure ? { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 0 } } : {}),
      },
      ...(first && !spec.networkMode ? { NetworkingConfig: { EndpointsConfig: { [first.network]: { Aliases: first.aliases ?? [] } } } } : {}),
    });
    for (const att of rest) await this.networks.connect(att.network, container.id, att.aliases);
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
    const id = await this.create(spec);
    await this.start(id);
    return this.inspect(id);
  }

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
  async list(lab?: string, role?: Role): Promise<LabContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labFilter(lab, role) } });
    const found = await Promise.all(list.map((c) => this.tryInspect(c.Id)));
    return found.filter((c): c is LabContainer => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Containers carrying a label (`key=value`), whoever made them: a user's Compose project is found so. */
  async withLabel(label: string): Promise<LabContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [label] } });
    const found = await Promise.all(list.map((c) => this.tryInspect(c.Id)));
    return found.filter((c): c is LabContainer => c !== undefined);
  }

  /** A lab's containers (or every lab's) by id and name, from one listing: reap removes them so, without inspecting each. */
  async listed(lab?: string): Promise<{ id: string; name: string }[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labFilter(lab) } });
    return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, "") }));
  }

  /** The labels of a lab's containers (of one role), from one listing and no inspects: the fault ledger reads its records so. */
  async labelsOf(lab: string, role: Role): Promise<Record<string, string>[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labFilter(lab, role) } });
    return list.map((c) => c.Labels);
  }

  /** The environment a container was created with, as NAME → value. */
  async env(idOrName: string): Promise<Record<string, string>> {
    const env = (await this.docker.getContainer(idOrName).inspect()).Config.Env ?? [];
    return Object.fromEntries(env.map((e) => [e.slice(0, Math.max(0, e.indexOf("="))), e.slice(e.indexOf("=") + 1)]));
  }

  /** A container's logs so far, split into stdout and stderr. */
  async logs(id: string, opts: { tail?: number } = {}): Promise<{ stdout: string; stderr: string }> {
    return demuxBuffer(await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) }));
  }

  /**
   * Follows a container's logs into `out` and `err` until it stops or `signal` aborts;
   * `attached` is called once the engine streams, so a caller can wait for it before
   * anything it wants to see logged happens.
   */
  async followLogs(id: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream, opts: { tail?: number; signal: AbortSignal; attached?: () => void }): Promise<void> {
    const stream = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) });
    opts.attached?.();
    this.docker.modem.demuxStream(stream, out, err);
    await new Promise<void>((resolve) => {
      stream.on("end", resolve);
      opts.signal.addEventListener("abort", () => {
        (stream as unknown as { destroy(): void }).destroy();
        resolve();
      });
    });
  }

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
    const id = await this.create(spec);
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
}
