// The resolved topology: complete, validated, trusted everywhere after `resolveTopology`.
// Plain types with no zod, so the runtime inside CPU containers can share them.

export const PLANES = ["x", "y"] as const;
export type PlaneName = (typeof PLANES)[number];

export interface Cpu {
  name: string;
  index: number;
  /** The CPU quota, in cores (of a 10 ms CFS period: lab/docker/plumbing.ts, cfsQuota). */
  cpus: number;
  memoryMb: number;
}

export interface Plane {
  name: PlaneName;
  /** The lab-local network name (Docker's is nonstop-<lab>-servernet-<p>). */
  network: string;
  router: string;
  /**
   * The router's name on this plane only. Routers also sit on the edge network (to publish
   * their API), so plain "router-x" could resolve to the edge side and carry plane traffic
   * off the plane.
   */
  routerAddress: string;
}

export interface Disk {
  /** One half of the RAID-1 mirror: a named volume mounted into every CPU. */
  name: string;
  mount: string;
}

/**
 * The paper's Internet services, sorted by how they survive a failover (section 4):
 *   web           HTTP, connectionless: pages and a small dynamic API (also the TMR voter)
 *   transactions  order + payment in one transaction, idempotency keys (the money example)
 *   mail          SMTP store and forward, deduplicated by Message-ID
 *   downloads     large files with Range resume and checksums, billed once per download
 *   files         NFS-like idempotent file operations, write-through or write-back cache
 *   session       a telnet-like TCP session whose state lives in the primary's memory
 */
export const SERVICE_KINDS = ["web", "transactions", "mail", "downloads", "files", "session"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const FILE_CACHES = ["write-through", "write-back"] as const;
export type FileCache = (typeof FILE_CACHES)[number];

export interface Service {
  name: string;
  kind: ServiceKind;
  /** files only: when a write is acknowledged (write-back acknowledges before it is safe). */
  cache?: FileCache;
  /** Where the service listens inside its CPU. */
  port: number;
  primary: string;
  /** Absent only in a single-CPU (classic, non-fault-tolerant) topology. */
  backup?: string;
  /** The service address on the edge network: a name that moves to the primary. */
  address: string;
  /** The edge router's listen port for this service. */
  edgePort: number;
}

export interface Heartbeat {
  periodMs: number;
  missed: number;
  /**
   * Whether a peer whose links on every plane ended from its side is suspected after one
   * period of silence (true, the default), or only at the silence limit, as a detector
   * that sees heartbeats alone would (false: for comparing the two).
   */
  endedLinks: boolean;
}

export interface Topology {
  version: 1;
  lab: string;
  cpus: Cpu[];
  planes: Plane[];
  edge: { network: string; router: string };
  disks: Disk[];
  services: Service[];
  heartbeat: Heartbeat;
  /** The agent's HTTP port inside every CPU. */
  agentPort: number;
  /** The port inside every CPU where ServerNet links arrive (only the plane routers reach it). */
  servernetPort: number;
}
