// The regroup rules, on a simulated network of CPUs in one process: who coordinates, how a
// dead CPU is removed, that a minority never installs a view, and that a slow coordinator
// cannot hold everyone up. Messages are function calls here; the scenarios run the real
// thing over Toxiproxy.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Membership, type MembershipEvent, type View } from "../../runtime/membership/membership.js";
import type { ServerNet } from "../../runtime/membership/transport.js";

const CPUS = ["cpu-0", "cpu-1", "cpu-2", "cpu-3"];

interface Net {
  nodes: Map<string, Membership>;
  events: Map<string, MembershipEvent[]>;
  dead: Set<string>;
  /** CPUs that receive nothing (starved): messages to them time out. */
  deaf: Set<string>;
  /** When the far side last ended each link, by `from->to/plane`, as a router reports a peer's closed socket. */
  lostAt: Map<string, number>;
  lostListeners: Map<string, (to: string, plane: "x" | "y") => void>;
}

function lab(): Net {
  const net: Net = { nodes: new Map(), events: new Map(), dead: new Set(), deaf: new Set(), lostAt: new Map(), lostListeners: new Map() };
  labs.push(net);
  for (const self of CPUS) {
    const transport: ServerNet = {
      send: (to, plane, path, body) => deliver(net, self, to, plane, path, body),
      sendBoth: (to, _planes, path, body) => deliver(net, self, to, "x", path, body),
      // A heartbeat expects no reply: to a dead or deaf CPU it is simply lost.
      post: (to, plane, path, body) => void deliver(net, self, to, plane, path, body).catch(() => undefined),
      lostAt: (to, plane) => net.lostAt.get(`${self}->${to}/${plane}`) ?? 0,
      onLost: (listener) => void net.lostListeners.set(self, listener),
    };
    net.events.set(self, []);
    const m = new Membership({ self, cpus: CPUS, planes: ["x", "y"], periodMs: 50, missed: 2, bootGraceMs: 200, transport, onEvent: (e) => net.events.get(self)?.push(e), onView: () => undefined });
    net.nodes.set(self, m);
  }
  return net;
}

function deliver(net: Net, from: string, to: string, plane: "x" | "y", path: string, body: unknown): Promise<unknown> {
  if (net.dead.has(from) || net.dead.has(to) || net.deaf.has(to)) return Promise.reject(new Error("no answer"));
  const m = net.nodes.get(to);
  if (!m) return Promise.reject(new Error("no such CPU"));
  const b = body as { from: string; view?: View; proposal?: View; sentAt?: number; stallMs?: number };
  if (path === "/servernet/hb") return Promise.resolve(m.heard(b.from, plane, b.view, b.sentAt, b.stallMs));
  if (path === "/servernet/propose" && b.proposal) return Promise.resolve(m.onPropose(b.proposal, b.from));
  if (path === "/servernet/commit" && b.view) return Promise.resolve(m.onCommit(b.view));
  return Promise.reject(new Error(`unexpected ${path}`));
}

async function run(net: Net, ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** The members of the view `cpu` holds, once a regroup installed one (a boot guess is not a view). */
const members = (net: Net, cpu: string) => {
  const m = net.nodes.get(cpu);
  return m?.admitted ? m.view.members : undefined;
};

/** Every lab a test made: stopped afterwards, even when an assertion failed. */
const labs: Net[] = [];

/** A lab of four CPUs, started together and given half a second to form its first view. */
async function booted(): Promise<Net> {
  vi.useFakeTimers();
  const net = lab();
  for (const m of net.nodes.values()) m.start();
  await run(net, 500);
  return net;
}

/** A CPU that dies: silent on every plane, its runtime stopped. */
function kill(net: Net, cpu: string): void {
  net.dead.add(cpu);
  net.nodes.get(cpu)?.stop();
}

/** Every peer's link to `cpu` on `planes` ended from `cpu`'s side, as its closed sockets end them. */
function endLinks(net: Net, cpu: string, planes: readonly ("x" | "y")[] = ["x", "y"]): void {
  for (const peer of CPUS.filter((c) => c !== cpu)) {
    for (const p of planes) {
      net.lostAt.set(`${peer}->${cpu}/${p}`, Date.now());
      net.lostListeners.get(peer)?.(cpu, p);
    }
  }
}

afterEach(() => {
  for (const net of labs.splice(0)) for (const m of net.nodes.values()) m.stop();
  vi.useRealTimers();
});

describe("membership and regroup", () => {
  it("boots to one view of all four CPUs", async () => {
    const net = await booted();
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
  });

  it("boots to one view when the CPUs start in any order, the lowest last", async () => {
    vi.useFakeTimers();
    const net = lab();
    for (const c of ["cpu-3", "cpu-1", "cpu-2", "cpu-0"]) {
      net.nodes.get(c)?.start();
      await run(net, 37);
    }
    await run(net, 1500);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
    expect(new Set(CPUS.map((c) => net.nodes.get(c)?.view.id)).size).toBe(1);
  });

  it("removes a dead CPU after the missed periods, on every survivor, in one view", async () => {
    const net = await booted();
    kill(net, "cpu-1");
    await run(net, 400);
    const views = ["cpu-0", "cpu-2", "cpu-3"].map((c) => net.nodes.get(c)?.view);
    for (const v of views) expect(v?.members).toEqual(["cpu-0", "cpu-2", "cpu-3"]);
    expect(new Set(views.map((v) => v?.id)).size).toBe(1);
  });

  it("removes a CPU whose links all ended from its side after a period of silence, not the whole limit", async () => {
    const net = await booted();
    // Killed just after its heartbeat at 500 ms: the silence limit (2 missed, 125 ms) would
    // remove it no sooner than 625 ms; its ended links at 550.
    kill(net, "cpu-1");
    endLinks(net, "cpu-1");
    await run(net, 60);
    for (const c of ["cpu-0", "cpu-2", "cpu-3"]) expect(members(net, c)).toEqual(["cpu-0", "cpu-2", "cpu-3"]);
    const s = net.events.get("cpu-0")?.find((e) => e.type === "cpu.suspected");
    expect(s).toMatchObject({ peer: "cpu-1", limitMs: 50, linksEnded: true });
  });

  it("gives a dead CPU whose links ended on one plane only the whole silence limit", async () => {
    const net = await booted();
    kill(net, "cpu-1");
    endLinks(net, "cpu-1", ["x"]);
    await run(net, 90);
    expect(members(net, "cpu-0")).toEqual(CPUS);
    await run(net, 300);
    expect(members(net, "cpu-0")).toEqual(["cpu-0", "cpu-2", "cpu-3"]);
    expect(net.events.get("cpu-0")?.find((e) => e.type === "cpu.suspected")).toMatchObject({ limitMs: 125, linksEnded: false });
  });

  it("keeps a live CPU whose links ended on both planes: its next heartbeat clears them", async () => {
    const net = await booted();
    endLinks(net, "cpu-1");
    await run(net, 400);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
    for (const c of CPUS) expect(net.events.get(c)?.filter((e) => e.type === "cpu.suspected")).toEqual([]);
  });

  it("lets no minority install a view: a lone CPU cut off keeps its old view and loses its quorum", async () => {
    const net = await booted();
    const lost = vi.fn();
    // cpu-3 hears no one, and no one hears it.
    net.deaf.add("cpu-3");
    const before = net.nodes.get("cpu-3")?.view.id;
    (net.nodes.get("cpu-3") as unknown as { c: { onQuorumLost: () => void } }).c.onQuorumLost = lost;
    await run(net, 400);
    net.dead.add("cpu-3");
    await run(net, 400);
    expect(net.nodes.get("cpu-3")?.view.id).toBe(before);
    expect(net.nodes.get("cpu-3")?.quorate).toBe(false);
    expect(lost).toHaveBeenCalled();
    expect(members(net, "cpu-0")).toEqual(["cpu-0", "cpu-1", "cpu-2"]);
  });

  it("gets past a coordinator that is slow to hear: removal waits for no joiner and no stale heartbeat", async () => {
    const net = await booted();
    // cpu-0 (the coordinator) still heartbeats but hears nothing for a while; cpu-1 dies.
    net.deaf.add("cpu-0");
    kill(net, "cpu-1");
    await run(net, 300);
    // Still deaf, cpu-0 cannot be outvoted out of the view (the others hear it), so no view
    // yet; it must not have installed one alone either.
    expect(members(net, "cpu-0")).toEqual(CPUS);
    net.deaf.delete("cpu-0");
    await run(net, 500);
    for (const c of ["cpu-0", "cpu-2", "cpu-3"]) expect(members(net, c)).toEqual(["cpu-0", "cpu-2", "cpu-3"]);
  });

  it("has a rebooted CPU wait to be added, never coordinate", async () => {
    const net = await booted();
    kill(net, "cpu-0");
    await run(net, 400);
    expect(members(net, "cpu-1")).toEqual(["cpu-1", "cpu-2", "cpu-3"]);
    // cpu-0 comes back with no memory of any view.
    const events: MembershipEvent[] = [];
    const old = net.nodes.get("cpu-0") as unknown as { c: ConstructorParameters<typeof Membership>[0] };
    const reborn = new Membership({ ...old.c, onEvent: (e) => events.push(e) });
    net.nodes.set("cpu-0", reborn);
    net.dead.delete("cpu-0");
    reborn.start();
    await run(net, 600);
    expect(events.some((e) => e.type === "regroup.start")).toBe(false);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
  });

  it("adds no CPU it never heard: a CPU back from a second fault does not wait out the grace for a peer still dead", async () => {
    const net = await booted();
    kill(net, "cpu-0");
    await run(net, 400);
    kill(net, "cpu-1");
    await run(net, 400);
    expect(members(net, "cpu-2")).toEqual(["cpu-2", "cpu-3"]);
    // cpu-1 comes back while cpu-0 stays dead. Once admitted it is the lowest member and
    // coordinates; cpu-0, never heard since its reboot, is alive to it only by the boot grace.
    const events: MembershipEvent[] = [];
    const old = net.nodes.get("cpu-1") as unknown as { c: ConstructorParameters<typeof Membership>[0] };
    const reborn = new Membership({ ...old.c, bootGraceMs: 5000, onEvent: (e) => events.push(e) });
    net.nodes.set("cpu-1", reborn);
    net.dead.delete("cpu-1");
    reborn.start();
    await run(net, 600);
    for (const c of ["cpu-1", "cpu-2", "cpu-3"]) expect(members(net, c)).toEqual(["cpu-1", "cpu-2", "cpu-3"]);
    // No proposal of a view with cpu-0 in it, each one lost for want of its answer.
    expect(events.filter((e) => e.type === "regroup.quorum-lost")).toEqual([]);
    expect(reborn.quorate).toBe(true);
  });

  it("suspects no one after the whole host stalls: its own stall is not a peer's silence", async () => {
    const net = await booted();
    const ids = CPUS.map((c) => net.nodes.get(c)?.view.id);
    // Every CPU (and the host's clock) jumps 400 ms with no timer run and no message read,
    // as when the host is starved; on waking, timers fire before the pending reads.
    vi.setSystemTime(Date.now() + 400);
    await run(net, 300);
    for (const c of CPUS) {
      expect(net.events.get(c)?.filter((e) => e.type === "cpu.suspected")).toEqual([]);
      expect(net.events.get(c)?.some((e) => e.type === "cpu.stalled")).toBe(true);
    }
    expect(CPUS.map((c) => net.nodes.get(c)?.view.id)).toEqual(ids);
  });

  it("still removes a CPU that died during a stall, once it stays silent while the others run", async () => {
    const net = await booted();
    kill(net, "cpu-2");
    vi.setSystemTime(Date.now() + 400);
    await run(net, 400);
    for (const c of ["cpu-0", "cpu-1", "cpu-3"]) expect(members(net, c)).toEqual(["cpu-0", "cpu-1", "cpu-3"]);
  });

  it("has a CPU paused past its removal stop at the first heartbeat of the view without it", async () => {
    const net = await booted();
    const paused = net.nodes.get("cpu-3");
    const lost = vi.fn();
    (paused as unknown as { c: { onQuorumLost: () => void } }).c.onQuorumLost = lost;
    paused?.stop();
    net.dead.add("cpu-3");
    await run(net, 400);
    expect(members(net, "cpu-0")).toEqual(["cpu-0", "cpu-1", "cpu-2"]);
    // It wakes: its own stall is credited to its peers, so its silence checks see nothing
    // wrong; the others' heartbeats tell it that it was removed.
    net.dead.delete("cpu-3");
    paused?.start();
    await run(net, 60);
    expect(lost).toHaveBeenCalled();
    expect(net.events.get("cpu-3")?.some((e) => e.type === "cpu.evicted")).toBe(true);
    // Then the others add it back as a joiner.
    await run(net, 1000);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
    expect(paused?.quorate).toBe(true);
  });

  it("gives a peer that reports stalling a longer silence limit, and a calm one none", async () => {
    const net = await booted();
    const cpu2 = net.nodes.get("cpu-2");
    // cpu-2 stalls 70 ms: silent for up to 120 ms, inside the base limit (2 × 50 + 25 ms).
    const stall = async (ms: number) => {
      cpu2?.stop();
      await run(net, ms);
      cpu2?.start();
      await run(net, 300);
    };
    await stall(70);
    // Its heartbeats now say so: its limit is 2 × 70 + 25 = 165 ms. A 100 ms stall (150 ms
    // of silence) would have got it suspected at the base limit; now it does not.
    await stall(100);
    const suspected = (c: string) => net.events.get(c)?.filter((e) => e.type === "cpu.suspected") ?? [];
    for (const c of ["cpu-0", "cpu-1", "cpu-3"]) expect(suspected(c)).toEqual([]);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
    // A real death of that CPU is still detected, only later (its last report was the
    // 100 ms stall: 225 ms); a calm CPU's as fast as ever.
    kill(net, "cpu-2");
    await run(net, 300);
    expect(suspected("cpu-0")).toMatchObject([{ peer: "cpu-2", limitMs: 225 }]);
    kill(net, "cpu-3");
    await run(net, 200);
    expect(suspected("cpu-0").at(-1)).toMatchObject({ peer: "cpu-3", limitMs: 125 });
  });

  it("promises a view id to one coordinator only", () => {
    const net = lab();
    const m = net.nodes.get("cpu-3");
    const proposal = { id: 5, members: CPUS };
    expect(m?.onPropose(proposal, "cpu-0").ok).toBe(true);
    expect(m?.onPropose({ ...proposal }, "cpu-1")).toMatchObject({ ok: false, promised: 5 });
    expect(m?.onPropose({ id: 6, members: CPUS }, "cpu-1").ok).toBe(true);
  });

  it("lets a CPU that rejoined just before a peer died not veto that peer's removal: only a CPU heard counts against it", () => {
    const net = lab();
    const rejoiner = net.nodes.get("cpu-1");
    if (!rejoiner) throw new Error("no cpu-1");
    // Just admitted to a view of all four; it has heard cpu-0 and cpu-3, never cpu-2 (which
    // died a moment before its links came up), so cpu-2 is alive to it only by the boot grace.
    rejoiner.onCommit({ id: 5, members: CPUS });
    for (const peer of ["cpu-0", "cpu-3"]) for (const plane of ["x", "y"] as const) rejoiner.heard(peer, plane, { id: 5, members: CPUS }, Date.now(), 0);
    expect(rejoiner.onPropose({ id: 6, members: ["cpu-0", "cpu-1", "cpu-3"] }, "cpu-0").ok).toBe(true);
    // A CPU it does hear is another matter: removing cpu-3 is refused.
    expect(rejoiner.onPropose({ id: 7, members: ["cpu-0", "cpu-1", "cpu-2"] }, "cpu-0").ok).toBe(false);
  });
});

describe("membership at a first boot", () => {
  it("retries after a first proposal some CPUs could not answer yet", async () => {
    vi.useFakeTimers();
    const net = lab();
    // cpu-1 and cpu-2 are still starting their runtime: they answer nothing for a while.
    net.deaf.add("cpu-1");
    net.deaf.add("cpu-2");
    for (const m of net.nodes.values()) m.start();
    await run(net, 400);
    net.deaf.clear();
    await run(net, 1000);
    for (const c of CPUS) expect(members(net, c)).toEqual(CPUS);
  });
});
