// The lab's words for Docker's things (containers, networks, volumes, events) and the
// helpers that turn the Engine's JSON into them. The clients (./containers.ts,
// ./networks.ts, ./volumes.ts) return these; raw Engine JSON stops there.
import type Docker from "dockerode";
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE, ROLES, type Role } from "./labels.js";

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
  /** Share another container's process namespace ("container:<id>"): a helper that signals its processes. */
  pidMode?: string;
  /** Mount every volume of these containers at the same paths: a helper that reaches a user's disk. */
  volumesFrom?: string[];
  /** The engine starts it again if it exits with an error (a helper that must outlast a crash of its own). */
  restartOnFailure?: boolean;
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

export function asRole(value: string | undefined): Role {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : "service";
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

export function isConflict(err: unknown, pattern: RegExp): boolean {
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

export function collectDemuxed(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
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
