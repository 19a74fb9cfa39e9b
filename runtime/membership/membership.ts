// Keepalive and membership, after the paper's "are you still alive?" and Tandem's regroup.
// Every CPU tells every other that it is alive, over both planes, every period. A peer is
// declared down only when *both* planes have been silent for `missed` periods; one silent
// plane is a plane fault, reported as such. A change of membership is acted on only after a
// regroup round: the coordinator (the lowest-numbered CPU it can hear) proposes the new
// view, and it is installed only when a majority of the *current* view accepts. A minority
// can never install a view, so it never acts alone.
//
// A coordinator that is itself slow (just rebooted, starved under its CPU quota) must not
// hold everyone up: a CPU that has seen the need for a regroup for a while with no new view
// coordinates in its place, later the higher it ranks. Two coordinators cannot install two
// views with the same id: a member promises a view id to the first coordinator that asks.
import type { PlaneName } from "../../lab/topology/types.js";
import type { ServerNet } from "./transport.js";

export interface View {
  id: number;
  members: string[];
}

export type MembershipEvent =
  | { type: "plane.down"; peer: string; plane: PlaneName }
  | { type: "plane.up"; peer: string; plane: PlaneName }
  | { type: "cpu.suspected"; peer: string; silentMs: number; limitMs: number; linksEnded: boolean }
  | { type: "cpu.stalled"; ms: number }
  | { type: "cpu.evicted"; view: View }
  | { type: "regroup.start"; proposal: View }
  | { type: "regroup.quorum-lost"; proposal: View; accepted: string[] }
  | { type: "view.installed"; view: View; removed: string[]; added: string[] };

export interface MembershipConfig {
  self: string;
  cpus: string[];
  planes: PlaneName[];
  periodMs: number;
  missed: number;
  /** How long a peer never heard from counts as booting rather than dead. */
  bootGraceMs?: number;
  /** Suspect a peer whose links all ended after one period (the default), not only at the silence limit. */
  endedLinks?: boolean;
  transport: ServerNet;
  onEvent: (e: MembershipEvent) => void;
  onView: (view: View, previous: View) => void;
  /** A regroup could not reach a majority: whoever acts as primary here must stop. */
  onQuorumLost?: () => void;
  /** This CPU hears a majority of its view again (after a quorum loss, with no view change). */
  onQuorumRegained?: () => void;
}

/** How long a CPU remembers its own stalls, to report them in its heartbeats. */
const STALL_MEMORY_MS = 10_000;

const order = (cpus: readonly string[]) => [...cpus].sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));

export class Membership {
  /** The installed view. A freshly started CPU has none until a regroup admits it. */
  view: View;
  /** True once this CPU holds a view installed by a quorate regroup (not just its boot guess). */
  admitted = false;
  private readonly lastHeard = new Map<string, number>();
  private readonly planeUp = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private regrouping = false;
  /** The highest view id heard of, so a rebooted coordinator proposes above the views it missed. */
  private highestSeen = 0;
  /**
   * The highest *installed* view id heard of (a view id above 0 exists only once a quorate
   * regroup installed it). Promises do not count: a promise to a proposal that then failed
   * installs nothing, and a booting coordinator must not take it for a group to join.
   */
  private installedSeen = 0;
  /** The view id this CPU accepted a proposal for, and from whom: no other coordinator gets it. */
  private promised = { id: 0, by: "" };
  /** Since when this CPU has seen a reason to regroup (0: none). */
  private changeSince = 0;
  private wasQuorate: boolean | undefined;
  /** The id of this CPU's own proposal while it is out: no other coordinator gets that id meanwhile. */
  private inFlight = 0;
  private readonly started = Date.now();
  /** When silence was last judged: a check far later than its interval means this CPU stalled. */
  private lastCheck = 0;
  /** The id of a newer view, installed without this CPU, that it has heard of (0: none). */
  private evictedBy = 0;
  /** This CPU's own stalls of the last STALL_MEMORY_MS, which its heartbeats report. */
  private readonly ownStalls: { at: number; ms: number }[] = [];
  /** The longest recent stall each peer reported of itself. */
  private readonly peerStall = new Map<string, number>();
  /** Members reported suspected and not heard from since. */
  private readonly suspects = new Set<string>();

  constructor(private readonly c: MembershipConfig) {
    this.view = { id: 0, members: order(c.cpus) };
    // A link ended from the far side may be a death: judge at once when it could be one.
    c.transport.onLost?.(() => this.armCheck(this.nextDeadline(Date.now())));
  }

  start(): void {
    const now = Date.now();
    const resumed = this.lastTickAt !== 0;
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.c.periodMs);
    // Started again after stop(), it behaves as a CPU that was frozen since its last check:
    // a check runs at once, late, and so measures the stall (the unit tests stall a CPU
    // this way).
    if (resumed) this.evaluate(this.lastCheck);
    else {
      this.lastTickAt = now;
      this.armCheck(now + this.checkInterval);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
  }

  private stopped = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private checkDue = 0;
  private lastTickAt = 0;

  /**
   * Silence is judged at every heartbeat tick, and also at the moment the first audible
   * peer or plane would cross its silence limit: a peer is suspected at its limit, not up
   * to a period after it (every millisecond of detection is one clients wait). One timer
   * armed at that deadline, instead of a check five times a period, is most of what made
   * an idle CPU cost a fiftieth of a core (bench/idle.ts).
   */
  private armCheck(at: number): void {
    if (this.stopped || (this.checkTimer && this.checkDue <= at && this.checkDue > Date.now())) return;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    this.checkDue = at;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      this.evaluate(at);
    }, Math.max(1, at - Date.now()));
  }

  /** When the next audible peer or plane would fall silent, or a booting peer's grace run out. */
  private nextDeadline(now: number): number {
    let next = now + this.c.periodMs;
    const neverHeard = (peer: string) => this.c.planes.every((p) => !this.lastHeard.has(`${peer}/${p}`));
    for (const peer of this.peers) {
      const limit = this.limitNow(peer);
      if (neverHeard(peer)) {
        const graceEnd = this.started + (this.c.bootGraceMs ?? 5000) + 1;
        if (graceEnd > now) next = Math.min(next, graceEnd);
        continue;
      }
      for (const p of this.c.planes) {
        const last = this.lastHeard.get(`${peer}/${p}`);
        if (last !== undefined && now - last <= limit) next = Math.min(next, last + limit + 1);
      }
    }
    return Math.max(next, now + 1);
  }

  /**
   * Every plane's link to `peer` was ended from its side since `peer` was last heard on
   * that plane. A killed CPU's process closes its sockets as it dies, and each router ends
   * the link it carried, so the peers learn of a death within a millisecond or two of it,
   * on every plane at once. Silence alone would take the whole limit to say so (175 ms at
   * the defaults; a kill lands anywhere in a heartbeat period, so 125–175 ms after it).
   * Nothing a live CPU does ends its peers' links: a stalled or paused one keeps them open
   * (it is judged by silence, as before), a plane cut or a router restart ends one plane's
   * links, not both, and a heartbeat heard after the end clears it.
   */
  private linksEnded(peer: string): boolean {
    const lostAt = this.c.transport.lostAt?.bind(this.c.transport);
    if (!lostAt || this.c.endedLinks === false) return false;
    return this.c.planes.every((p) => {
      const last = this.lastHeard.get(`${peer}/${p}`);
      return last !== undefined && lostAt(peer, p) >= last;
    });
  }

  /**
   * The silence allowed a peer whose links all ended: one period, the longest a live peer
   * goes between heartbeats. A live peer whose links were ended by something else (a
   * toxic on both planes' proxies to it) is heard again within it, and its heartbeat
   * clears the ends; and a removal needs a majority that finds the peer silent, each on
   * its own links, so one CPU's ended links cannot remove a peer the others hear.
   */
  private endedLimit(): number {
    return this.c.periodMs;
  }

  /** The silence `peer` is allowed now: the ended limit if its links all ended, else its silence limit. */
  private limitNow(peer: string): number {
    const limit = this.silenceLimit(peer);
    return this.linksEnded(peer) ? Math.min(limit, this.endedLimit()) : limit;
  }

  private get peers(): string[] {
    return this.c.cpus.filter((x) => x !== this.c.self);
  }

  /** `missed` periods and half a period of slack: the limit for a peer that does not stall. */
  private baseLimit(): number {
    return this.c.periodMs * this.c.missed + this.c.periodMs / 2;
  }

  /**
   * How long `peer` may be silent before it is suspected: the base limit, or longer for a
   * peer that reports stalling itself. A CPU stalled s ms sends nothing for up to s plus a
   * period, so one that stalls on a busy host would be suspected at every stall longer
   * than the slack. Such a peer gets twice its longest recent stall and half a period
   * (the next stall may be worse than the last), up to four periods more than the base.
   * The idea is the phi accrual detector's: judge silence against what this peer's
   * heartbeats have been like lately. A calm peer keeps the base limit, so a calm machine
   * detects a death as fast as before; a busy one trades detection time for no false
   * takeovers.
   */
  private silenceLimit(peer: string): number {
    const base = this.baseLimit();
    const stall = this.peerStall.get(peer) ?? 0;
    return Math.min(Math.max(base, 2 * stall + this.c.periodMs / 2), base + 4 * this.c.periodMs);
  }

  /** The longest stall of this CPU's own in the last STALL_MEMORY_MS. */
  private recentStall(now: number): number {
    while (this.ownStalls.length > 0 && (this.ownStalls[0]?.at ?? now) < now - STALL_MEMORY_MS) this.ownStalls.shift();
    return Math.max(0, ...this.ownStalls.map((x) => x.ms));
  }

  /**
   * Heard from `peer` on `plane`. `sentAt` is when the peer sent it (every CPU reads the
   * same host clock): a heartbeat is evidence of life when it was *sent*, not when a busy
   * receiver got round to it. Otherwise a CPU starved of time (just rebooted under its
   * quota) works off a backlog of a dead peer's last heartbeats, keeps "hearing" it for a
   * second, and, as the coordinator, holds up the regroup that the others wait for.
   */
  heard(peer: string, plane: PlaneName, view?: View, sentAt = Date.now(), stallMs?: number): void {
    const key = `${peer}/${plane}`;
    if (stallMs !== undefined) this.peerStall.set(peer, stallMs);
    this.lastHeard.set(key, Math.max(this.lastHeard.get(key) ?? 0, Math.min(sentAt, Date.now())));
    if (view && view.id > this.highestSeen) this.highestSeen = view.id;
    if (view && view.id > this.installedSeen) this.installedSeen = view.id;
    // A newer view that includes us: a quorate regroup installed it (no other kind exists)
    // and its commit to us was lost. Adopt it rather than regroup again.
    if (view && view.id > this.view.id && view.members.includes(this.c.self)) this.install(view);
    // A newer view without us: a quorum removed this CPU while it was stalled or cut off.
    // It must stop acting at once, not when its own silence checks catch up (a stall is
    // credited to its peers, so they may not for a while).
    else if (view && view.id > this.view.id && view.id > this.evictedBy && this.admitted) {
      this.evictedBy = view.id;
      this.c.onEvent({ type: "cpu.evicted", view });
      this.c.onQuorumLost?.();
    }
  }

  /**
   * Which peers answer on which plane right now. `heard` is the evidence: heard on some
   * plane within its silence limit. `alive` adds the boot grace: a peer never heard from is
   * still booting (node starts slowly under its quota, and the routers' proxies may not
   * exist yet), not dead, until the grace runs out. The grace is for not removing a member
   * before its first heartbeat, never for adding one: a CPU back from a second fault, as
   * coordinator, would otherwise propose a peer still dead and lose every regroup for the
   * whole grace.
   */
  liveness(): { peer: string; planes: Record<string, boolean>; heard: boolean; alive: boolean }[] {
    const now = Date.now();
    const graced = (peer: string) => now - this.started <= (this.c.bootGraceMs ?? 5000) && (!this.admitted || this.view.members.includes(peer));
    return this.peers.map((peer) => {
      const planes: Record<string, boolean> = {};
      const neverHeard = this.c.planes.every((p) => !this.lastHeard.has(`${peer}/${p}`));
      const limit = this.limitNow(peer);
      let heard = false;
      for (const p of this.c.planes) {
        const last = this.lastHeard.get(`${peer}/${p}`);
        const recent = last !== undefined && now - last <= limit;
        heard ||= recent;
        planes[p] = recent || (last === undefined && neverHeard && graced(peer));
      }
      return { peer, planes, heard, alive: Object.values(planes).some(Boolean) };
    });
  }

  private tick(): void {
    const now = Date.now();
    const msg = { from: this.c.self, view: this.view, sentAt: now, stallMs: this.recentStall(now) };
    for (const peer of this.peers) {
      for (const plane of this.c.planes) {
        this.c.transport.post(peer, plane, "/servernet/hb", { ...msg, plane });
      }
    }
    // Node re-arms an interval from when its callback ran, so this tick was due a period after the last.
    const due = this.lastTickAt + this.c.periodMs;
    this.lastTickAt = now;
    this.evaluate(due);
  }

  private get checkInterval(): number {
    return Math.max(5, this.c.periodMs / 5);
  }

  /**
   * Silence counts only while this CPU was running to hear it. A CPU that was itself
   * stalled (starved under its quota, or the whole host busy) could not read its sockets,
   * and its timers fire before its pending reads when it wakes: without this, every stall
   * longer than the silence limit made it suspect every peer at once, though their
   * heartbeats were waiting in its socket buffers. A peer it could still hear before the
   * stall is credited the stall; one already silent gets nothing (it must not come back).
   */
  private forgiveOwnStall(now: number, due: number): void {
    const last = this.lastCheck;
    this.lastCheck = now;
    if (last === 0) return;
    // How late the timer that woke us ran; never more than the time since the last check, so
    // the second of two timers that a stall held up does not credit the same stall again.
    const stalled = Math.min(now - due, now - last);
    if (stalled > this.checkInterval) this.ownStalls.push({ at: now, ms: stalled });
    if (stalled <= this.c.periodMs / 2) return;
    for (const [key, heard] of this.lastHeard) {
      if (last - heard <= this.limitNow(key.split("/")[0] ?? "")) this.lastHeard.set(key, Math.min(now, heard + stalled));
    }
    // Short stalls are routine under a half-core quota; only the ones that would have cost a
    // peer its place are worth a line in the history.
    if (stalled >= this.c.periodMs) this.c.onEvent({ type: "cpu.stalled", ms: stalled });
  }

  private evaluate(due: number): void {
    this.forgiveOwnStall(Date.now(), due);
    const live = this.liveness();
    for (const l of live) {
      for (const [plane, up] of Object.entries(l.planes)) {
        const key = `${l.peer}/${plane}`;
        const was = this.planeUp.get(key);
        if (was !== undefined && was !== up && l.alive) this.c.onEvent({ type: up ? "plane.up" : "plane.down", peer: l.peer, plane: plane as PlaneName });
        this.planeUp.set(key, up);
      }
    }
    const alive = new Set([this.c.self, ...live.filter((l) => l.alive).map((l) => l.peer)]);
    const changed = this.view.members.some((m) => !alive.has(m)) || [...alive].some((m) => !this.view.members.includes(m)) || !this.admitted;
    const quorate = this.quorate;
    if (quorate && this.wasQuorate === false) this.c.onQuorumRegained?.();
    this.wasQuorate = quorate;
    if (!changed) this.changeSince = 0;
    else if (this.changeSince === 0) this.changeSince = Date.now();
    // One suspicion per silence: it is reported when a member falls silent, not again at
    // every check while the regroup that removes it waits its turn.
    for (const m of this.view.members) {
      if (alive.has(m)) this.suspects.delete(m);
      else if (!this.suspects.has(m)) {
        this.suspects.add(m);
        this.c.onEvent({ type: "cpu.suspected", peer: m, silentMs: Date.now() - Math.max(...this.c.planes.map((p) => this.lastHeard.get(`${m}/${p}`) ?? this.started)), limitMs: this.limitNow(m), linksEnded: this.linksEnded(m) });
      }
    }
    if (changed && !this.regrouping) void this.regroup();
    this.armCheck(this.nextDeadline(Date.now()));
  }

  /** The set of CPUs this one can hear, itself included. */
  private aliveSet(): string[] {
    return order([this.c.self, ...this.liveness().filter((l) => l.alive).map((l) => l.peer)]);
  }

  /** Peers heard on some plane within their silence limit: alive by evidence, not by grace. */
  private heardSet(): string[] {
    return this.liveness().filter((l) => l.heard).map((l) => l.peer);
  }

  private async regroup(): Promise<void> {
    this.regrouping = true;
    try {
      const heard = this.aliveSet();
      // A CPU that is not in any view yet while others already hold one is a joiner: the
      // members add it; it never coordinates (a rebooted CPU is slow, and would hold up
      // everyone's regroup while it warms up).
      if (!this.admitted && this.installedSeen > 0) return;
      // Nor before it has heard anyone at all: it cannot yet tell a joiner from a first boot.
      if (!this.admitted && this.peers.length > 0 && this.lastHeard.size === 0) return;
      // Removals first, and on their own: a dead member must not wait for a slow joiner
      // to answer. Joiners are added in the next round.
      const removing = this.admitted && this.view.members.some((m) => !heard.includes(m));
      const alive = removing ? heard.filter((m) => this.view.members.includes(m)) : heard;
      // The lowest-numbered member it can hear coordinates, and the others wait for its
      // proposal, each only up to a deadline that grows with its rank.
      // Stand-ins are for members only: at a first boot nobody holds a view yet, and two
      // CPUs proposing at once would keep pre-empting each other.
      const rank = (this.admitted ? alive.filter((m) => this.view.members.includes(m)) : alive).indexOf(this.c.self);
      if (rank > 0 && !this.admitted) return;
      const patience = rank * this.c.periodMs * this.c.missed * 3;
      if (rank > 0 && Date.now() - this.changeSince < patience) return;
      const proposal: View = { id: Math.max(this.view.id, this.highestSeen, this.promised.id) + 1, members: alive };
      this.inFlight = proposal.id;
      this.c.onEvent({ type: "regroup.start", proposal });
      const timeout = this.c.periodMs * this.c.missed * 2;
      const answers = await Promise.all(
        alive
          .filter((m) => m !== this.c.self)
          .map(async (m) => {
            try {
              const r = (await this.c.transport.sendBoth(m, this.c.planes, "/servernet/propose", { from: this.c.self, proposal }, timeout)) as { ok?: boolean; view?: View; promised?: number };
              this.highestSeen = Math.max(this.highestSeen, r.view?.id ?? 0, r.promised ?? 0);
              this.installedSeen = Math.max(this.installedSeen, r.view?.id ?? 0);
              return r.ok ? m : undefined;
            } catch {
              return undefined;
            }
          }),
      );
      const accepted = [this.c.self, ...answers.filter((m): m is string => m !== undefined)];
      // Quorum: a strict majority of the view being replaced (of all CPUs, before any view).
      const base = this.admitted ? this.view.members : this.c.cpus;
      const votes = accepted.filter((m) => base.includes(m)).length;
      if (votes * 2 <= base.length || accepted.length !== alive.length) {
        this.c.onEvent({ type: "regroup.quorum-lost", proposal, accepted });
        // Before its first view a booting CPU has no majority to lose: the others are still starting.
        if (this.admitted) this.c.onQuorumLost?.();
        return;
      }
      await Promise.all(accepted.filter((m) => m !== this.c.self).map((m) => this.c.transport.sendBoth(m, this.c.planes, "/servernet/commit", { from: this.c.self, view: proposal }, timeout).catch(() => undefined)));
      this.install(proposal);
    } finally {
      this.regrouping = false;
      this.inFlight = 0;
    }
  }

  /**
   * A coordinator's proposal: accept if it is newer than what we hold, includes us, and
   * removes only CPUs that we too find silent. A coordinator starved of CPU time (say,
   * just rebooted under its quota) may stop hearing a healthy peer; without this, the
   * others would follow it and evict a live primary. A removal needs a majority that
   * agrees the CPU is gone; a real failure costs at most a period while they notice.
   */
  onPropose(proposal: View, from: string): { ok: boolean; view: View; promised: number } {
    // Only a CPU this one has actually heard within its limit counts against a removal. One
    // it never heard is alive to it only by the boot grace: a CPU that rejoined a moment
    // before a peer died would otherwise veto the others' view without that peer for the
    // whole grace (5 s), leaving the machine without a quorate view, and its pairs without
    // a takeover, meanwhile.
    const alive = new Set(this.heardSet());
    const removesLive = this.view.members.some((m) => !proposal.members.includes(m) && alive.has(m));
    // One view id, one coordinator: a second coordinator asking for an id already promised
    // is refused, learns the id, and asks again above it.
    const free = proposal.id > this.inFlight && (proposal.id > this.promised.id || (proposal.id === this.promised.id && from === this.promised.by));
    const ok = proposal.id > this.view.id && free && proposal.members.includes(this.c.self) && !removesLive;
    if (ok) this.promised = { id: proposal.id, by: from };
    // A lower-numbered CPU is coordinating: a stand-in waits its full patience again.
    if (order([from, this.c.self])[0] === from && this.changeSince !== 0) this.changeSince = Date.now();
    return { ok, view: this.view, promised: this.promised.id };
  }

  onCommit(view: View): void {
    if (view.id > this.view.id && view.members.includes(this.c.self)) this.install(view);
  }

  private install(view: View): void {
    const previous = this.view;
    this.view = { id: view.id, members: order(view.members) };
    this.admitted = true;
    this.c.onEvent({
      type: "view.installed",
      view: this.view,
      removed: previous.members.filter((m) => !view.members.includes(m)),
      added: view.members.filter((m) => !previous.members.includes(m)),
    });
    this.c.onView(this.view, previous);
  }

  /** This CPU may act (serve writes, take over) only inside a view a quorum installed. */
  get quorate(): boolean {
    if (!this.admitted || this.evictedBy > this.view.id) return false;
    const alive = new Set(this.aliveSet());
    return this.view.members.filter((m) => alive.has(m)).length * 2 > this.view.members.length;
  }
}
