// The NonStop runtime of one CPU: the RAID-1 driver over the mirrors, ServerNet messaging,
// keepalive and membership, and one process pair per service (as primary, backup or spare).
import { identity } from "../runtime/agent/identity.js";
import type { Topology } from "../lab/topology/types.js";
import { interfaceOf, prepareAddressing, releaseAddress, takeAddress, type Interface } from "./address.js";
import { EventLog } from "./events.js";
import { RouteKeeper, repoint, supersedes, type EdgeRoute } from "./edge-route.js";
import { planeAlias } from "../lab/topology/links.js";
import { Membership } from "./membership/membership.js";
import { Transport } from "./membership/transport.js";
import { Pair, type AddressControl } from "./pairs/pair.js";
import { CrashPoints } from "./pairs/crash.js";
import { Raid1 } from "./raid/raid1.js";
import { DiskSupervisor } from "./raid/supervisor.js";
import { Replica, Voter } from "./voting/voter.js";
import { votingReplicas } from "../lab/topology/voting.js";

export interface NodeRuntime {
  events: EventLog;
  raid: Raid1;
  membership: Membership;
  pairs: Map<string, Pair>;
  transport: Transport;
  disks: DiskSupervisor;
  /** Armed by the crash-point fault (./pairs/crash.ts). */
  crash: CrashPoints;
  /** This CPU's compute replica (asked by the voter over ServerNet). */
  replica: Replica;
  /** The voter, served by the primary of `service` at its address; none under three CPUs. */
  voter?: { service: string; voter: Voter };
}

/** Service addresses, from the lab controller: service name to IPv4 on the edge network. */
export type Vips = Record<string, string>;

/** The new primary re-points the edge router at itself (a lab on Swarm: runtime/edge-route.ts). */
function routeControl(route: EdgeRoute, events: EventLog, service: string, epoch: () => number, agentPort: number): AddressControl {
  const keeper = new RouteKeeper(
    route,
    (ms) => events.push({ type: "edge.repointed", service, upstream: route.upstream, ms }),
    (upstream) => supersedes(upstream, service, epoch(), agentPort),
  );
  return {
    take: async () => {
      const t0 = Date.now();
      // Started first: a router that is down now (an edge fault) is re-pointed once it is back.
      keeper.start();
      for (let i = 0; i < 3; i++) {
        if (await repoint(route).then(() => true, () => false)) {
          events.push({ type: "edge.repointed", service, upstream: route.upstream, ms: Date.now() - t0 });
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    // The next primary re-points the router; a deposed one only stops keeping it.
    release: () => Promise.resolve(keeper.stop()),
  };
}

function addressControl(vip: string | undefined, iface: () => Interface | undefined, events: EventLog, service: string): AddressControl {
  if (!vip) {
    // No secondary address (e.g. the Compose lab): the edge reaches the service by name.
    return { take: () => Promise.resolve(), release: () => Promise.resolve() };
  }
  return {
    take: async () => {
      const i = iface();
      if (!i) throw new Error("no edge interface found for the service address");
      const t0 = Date.now();
      const { announced } = await takeAddress(vip, i);
      events.push({ type: "address.taken", service, vip, iface: i.name, ms: Date.now() - t0 });
      void announced.then(() => events.push({ type: "address.announced", service, vip, ms: Date.now() - t0 }));
    },
    release: async () => {
      const i = iface();
      if (i) await releaseAddress(vip, i);
      events.push({ type: "address.released", service, vip });
    },
  };
}

/**
 * Builds the runtime and starts the heartbeats. `ready` is called before the pairs boot, so
 * ServerNet messages (heartbeats above all) are answered while a backup fetches its state.
 */
/**
 * `edgeApi`: the edge router's API (host:port on the edge network) when the service moves by
 * re-pointing it (a lab on Swarm) instead of by a service address (`vips`).
 */
export async function startNode(t: Topology, self: string, vips: Vips, ready: (n: NodeRuntime) => void, edgeApi?: string): Promise<NodeRuntime> {
  const events = new EventLog(self, { echo: (line) => console.log(line) });
  // A CPU that may hold a service address keeps its `ip` open from boot (runtime/address.ts).
  if (Object.keys(vips).length > 0) prepareAddressing();
  const raid = new Raid1(
    t.disks.map((d) => ({ name: d.name, path: d.mount })),
    (e) => events.push(e),
  );
  const transport = new Transport(t, self);
  const planes = t.planes.map((p) => p.name);
  const pairs = new Map<string, Pair>();
  // A crash point takes the CPU down as a failure would: at once, with no goodbye.
  const crash = new CrashPoints((why) => {
    process.stderr.write(`${self}: ${why}: crashing\n`);
    process.exit(137);
  });
  const membership = new Membership({
    self,
    cpus: t.cpus.map((c) => c.name),
    planes,
    periodMs: t.heartbeat.periodMs,
    missed: t.heartbeat.missed,
    endedLinks: t.heartbeat.endedLinks,
    transport,
    onEvent: (e) => events.push(e),
    onView: (view) => {
      for (const p of pairs.values()) p.onView(view);
    },
    onQuorumRegained: () => {
      for (const p of pairs.values()) p.onQuorumRegained();
    },
    onQuorumLost: () => {
      for (const p of pairs.values()) p.onQuorumLost();
    },
  });
  const edgeIp = (await identity(t, self)).addresses.edge ?? undefined;
  const iface = () => (edgeIp ? interfaceOf(edgeIp) : undefined);
  for (const s of t.services) {
    pairs.set(
      s.name,
      new Pair({
        self,
        service: s,
        raid,
        membership,
        transport,
        planes,
        onEvent: (e) => events.push(e),
        address: edgeApi ? routeControl({ api: edgeApi, proxy: s.name, upstream: `${planeAlias(self, "edge")}:${s.port}` }, events, s.name, () => pairs.get(s.name)?.epoch ?? 0, t.agentPort) : addressControl(vips[s.name], iface, events, s.name),
        checkpointTimeoutMs: Math.max(250, t.heartbeat.periodMs * t.heartbeat.missed * 4),
        crash,
      }),
    );
  }
  await raid.init().catch((err: unknown) => events.push({ type: "raid.error", error: String(err) }));
  const disks = new DiskSupervisor({
    raid,
    services: t.services.map((s) => s.name),
    primaryOf: () => [...pairs].filter(([, p]) => p.role === "primary").map(([name]) => name),
    // Any deterministic choice all members agree on will do.
    coordinator: () => membership.quorate && [...membership.view.members].sort()[0] === self,
  });
  const replica = new Replica();
  const replicas = votingReplicas(t);
  const votedService = t.services[0]?.name;
  const voter =
    replicas.length === 3 && votedService
      ? {
          service: votedService,
          voter: new Voter({ self, replicas, replica, transport, planes, raid, events, file: `pairs/${votedService}.voting.json`, timeoutMs: Math.max(250, t.heartbeat.periodMs * t.heartbeat.missed * 4) }),
        }
      : undefined;
  const node = { events, raid, membership, pairs, transport, disks, replica, crash, ...(voter ? { voter } : {}) };
  ready(node);
  transport.start();
  membership.start();
  disks.start();
  for (const p of pairs.values()) await p.boot();
  // Re-protection on every path (Pair.ensureProtected): four looks a second keep a primary
  // without a backup for well under the second the runtime promises, at no cost while
  // every pair is protected.
  setInterval(() => {
    for (const p of pairs.values()) p.ensureProtected();
  }, 250).unref();
  return node;
}
