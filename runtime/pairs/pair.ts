// A process pair (Fig. 7): the primary serves, and before it acknowledges any state change
// it journals it on the RAID and checkpoints it to its backup over both planes. When the
// membership removes the primary's CPU, the backup takes over with every acknowledged
// change, moves the service address, and a new backup is started elsewhere (re-protection).
// Fencing: the pair record on the RAID carries an epoch that every takeover raises; a
// primary re-reads it before each acknowledgement and, finding itself superseded, stops.
import type { Raid1 } from "../raid/raid1.js";
import type { Membership, View } from "../membership/membership.js";
import type { ServerNet } from "../membership/transport.js";
import type { PairEvent } from "../agent/api.js";
import type { PlaneName, Service } from "../../lab/topology/types.js";
import type { CrashPoints, CrashStep } from "./crash.js";
import { apply, emptyState, type ApplyResult, type PairOp, type PairState } from "./state.js";

export interface PairRecord {
  service: string;
  epoch: number;
  primary: string;
  backup: string | null;
}

export type Role = "primary" | "backup" | "spare";

/** A change acknowledged: its place in the pair's order, its epoch, and what it answered (a transaction's reads). */
export interface Ack {
  seq: number;
  epoch: number;
  result?: ApplyResult;
}

export interface AddressControl {
  take(): Promise<void>;
  release(): Promise<void>;
}

export interface PairDeps {
  self: string;
  service: Service;
  raid: Raid1;
  /** What the pair reads of the membership: the installed view, whether it is quorate here, and whether a regroup has installed one yet. */
  membership: Pick<Membership, "view" | "quorate" | "admitted">;
  transport: ServerNet;
  planes: PlaneName[];
  /** How the pair reports what it does (the agent records it in its event log). */
  onEvent: (e: PairEvent) => void;
  address: AddressControl;
  /** Deadline for a checkpoint to reach the backup before the write fails unacknowledged. */
  checkpointTimeoutMs: number;
  /** Armed by the transaction crash sweep's fault; absent, no step ever crashes. */
  crash?: CrashPoints;
}

export class NotPrimary extends Error {}

/** The client went away before its change was started: it was not done, and never will be. */
export class ClientGone extends Error {}

export class Pair {
  role: Role = "spare";
  epoch = 0;
  state: PairState = emptyState();
  private record: PairRecord | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** A checkpoint's outcome was unknown: the backup must be re-synced before the next change. */
  private backupInDoubt = false;
  /** Since when this primary has had no live backup while another CPU was in its view (0: protected). */
  private exposedSince = 0;
  /** A re-protection is queued or running; the supervisor does not queue another. */
  private protecting = false;
  /** After a re-protection that found no taker, the supervisor waits until then to try again. */
  private retryProtectAt = 0;
  private unprotectedSaid = false;
  /**
   * The CPUs this one has seen alive since it booted: in a view it installed, or as the
   * sender of a snapshot. A backup takes over only from a primary it has seen, so a primary
   * that has not booted yet is not one that failed. On Swarm the tasks start seconds apart;
   * a backup whose first quorate view lacked a late primary took the service over at boot,
   * and the plan's primary (the one a scenario kills) was a spare from then on.
   */
  private readonly seen = new Set<string>();

  constructor(private readonly d: PairDeps) {}

  private get file(): string {
    return `pairs/${this.d.service.name}.json`;
  }

  private get journal(): string {
    return `pairs/${this.d.service.name}.journal`;
  }

  async readRecord(): Promise<PairRecord | undefined> {
    const raw = await this.d.raid.readFile(this.file);
    return raw ? (JSON.parse(raw.toString()) as PairRecord) : undefined;
  }

  /**
   * Fencing, checked wherever this CPU is about to act as primary: the record on the RAID
   * is the truth, and an epoch newer than ours means another CPU took over.
   */
  private async superseded(): Promise<boolean> {
    const current = await this.readRecord();
    if (current && (current.epoch > this.epoch || (current.epoch === this.epoch && current.primary !== this.d.self))) {
      await this.fence(`superseded by epoch ${current.epoch} (${current.primary})`);
      return true;
    }
    return false;
  }

  /** When this CPU took over, until its first acknowledged change (0: not pending). */
  private takenOverAt = 0;

  /** The epoch this CPU last served as primary before it fenced itself (memory only: a reboot forgets). */
  private fencedEpoch = 0;

  /**
   * A primary that fenced itself for want of a majority (say, starved of CPU time long
   * enough to hear no one) while nobody took over: the record still names it, at its own
   * epoch, and it still holds every acknowledged change. It resumes, rather than leave the
   * service with no primary at all. Its backup may hold a change we never acknowledged, so
   * the backup is re-synced before the next one.
   */
  onQuorumRegained(): void {
    this.serial(async () => {
      if (this.role !== "spare" || this.fencedEpoch === 0 || !this.d.membership.quorate) return;
      const r = await this.readRecord();
      if (!r || r.primary !== this.d.self || r.epoch !== this.fencedEpoch || r.epoch !== this.epoch) return;
      this.record = r;
      this.role = "primary";
      this.fencedEpoch = 0;
      this.backupInDoubt = r.backup !== null;
      await this.d.address.take();
      this.d.onEvent({ type: "pair.resumed", service: r.service, epoch: r.epoch, seq: this.state.seq });
    });
  }

  /** Lost the majority: a primary in a minority stops at once and gives up the address. */
  onQuorumLost(): void {
    this.serial(async () => {
      if (this.role === "primary" && !this.d.membership.quorate) await this.fence("lost the majority");
    });
  }

  /** Never replaces the record with an older epoch: a stale primary must not undo a takeover. */
  private async writeRecord(r: PairRecord): Promise<void> {
    const current = await this.readRecord();
    if (current && current.epoch > r.epoch) throw new Error(`pair record is at epoch ${current.epoch}; not writing epoch ${r.epoch}`);
    await this.d.raid.writeFile(this.file, JSON.stringify(r));
    this.record = r;
    this.epoch = r.epoch;
  }

  /**
   * At boot. The first time a lab starts, the topology's primary creates the pair record.
   * A CPU that comes back after a failure finds the record moved on and rejoins as a spare:
   * its memory (the state) died with it.
   */
  async boot(): Promise<void> {
    const { self, service } = this.d;
    // Before its first regroup a CPU's view is its boot guess, every CPU of the topology:
    // that is no sighting of anyone.
    if (this.d.membership.admitted) for (const m of this.d.membership.view.members) this.seen.add(m);
    const r = await this.readRecord();
    if (!r) {
      // The lab's first start: the topology's primary creates the record; its backup begins
      // empty, exactly as the primary does.
      if (service.primary === self) {
        await this.d.raid.append(this.journal, JSON.stringify({ epoch: 1, seq: 0, init: true }));
        await this.writeRecord({ service: service.name, epoch: 1, primary: self, backup: service.backup ?? null });
        this.role = "primary";
        await this.d.address.take();
        this.d.onEvent({ type: "pair.primary", service: service.name, epoch: 1, backup: service.backup ?? null });
        return;
      }
      if (service.backup === self) {
        this.record = { service: service.name, epoch: 1, primary: service.primary, backup: self };
        this.epoch = 1;
        this.role = "backup";
        this.d.onEvent({ type: "pair.backup", service: service.name, epoch: 1, primary: service.primary, seq: 0 });
        return;
      }
    }
    // Restarted as the primary the record still names, with no backup: nobody else holds
    // the state (a classic single system, or a primary that was running unprotected). The
    // journal on the RAID has every change it acknowledged: recover from it and serve.
    if (r && r.primary === self && r.backup === null) {
      const t0 = Date.now();
      this.state = await this.replayJournal();
      await this.writeRecord({ ...r, epoch: r.epoch + 1 });
      this.role = "primary";
      await this.d.address.take();
      this.d.onEvent({ type: "pair.recovered", service: service.name, epoch: this.epoch, seq: this.state.seq, ms: Date.now() - t0 });
      return;
    }
    this.record = r;
    this.epoch = r?.epoch ?? 0;
    this.role = "spare";
    this.d.onEvent({ type: "pair.spare", service: service.name, epoch: this.epoch });
    // Named as backup (a restart, or the record was written a moment before we read it):
    // ask the primary for its state rather than assume any.
    if (r && r.backup === self && r.primary !== self) {
      await this.d.transport.sendBoth(r.primary, this.d.planes, "/servernet/resync", { service: service.name, from: self }, 2000).catch(() => undefined);
    }
  }

  /**
   * CPUs that asked to be (re)made the backup before this primary's view held them: the
   * request is kept until a view does. A CPU named backup in the record but booted after
   * the record was written is a spare until the primary answers its resync; its view and
   * the primary's are installed at about the same moment, and a request that arrived just
   * before the primary's was dropped, leaving the record naming a backup that held
   * nothing, and a primary with no one to take over (the scorecard's web, 1 run in 48).
   */
  private readonly resyncWanted = new Set<string>();

  /**
   * On the primary: a CPU asks to be (re)made the backup. A request this CPU cannot act on
   * yet is kept, not dropped: its boot may still be writing the record that makes it the
   * primary, or its first view may not be installed or quorate. Dropped, it left the
   * record naming a backup that held nothing, for good: after every CPU started at once
   * (a shared lab's reset) cpu-1 stayed "spare for web" while the record said protected.
   */
  onResync(from: string): void {
    this.serial(async () => {
      const view = this.d.membership.view;
      if (this.role === "primary" && this.d.membership.quorate && view.members.includes(from)) await this.reprotect(view, from);
      else this.resyncWanted.add(from);
    });
  }

  /**
   * Sends to a peer that are given up at once when a view removes it. A dead backup used to
   * hold the pair's queue for a whole timeout: the primary re-syncing it waited 2 s for an
   * answer that could not come, and every write waited behind it (the sweep found a kill of
   * the backup to be an outage of the service). The membership's detection is the deadline.
   */
  private readonly toPeers = new Set<{ to: string; abort: () => void }>();

  private whileMember<T>(to: string, sent: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Removed already: the caller read an older view before an await (a re-protection
      // reading the record), and the view that dropped the peer came in between.
      if (this.d.membership.admitted && !this.d.membership.view.members.includes(to)) {
        sent.catch(() => undefined);
        return reject(new Error(`${to} left the view`));
      }
      const entry = { to, abort: () => reject(new Error(`${to} left the view`)) };
      this.toPeers.add(entry);
      sent.then(resolve, reject).finally(() => this.toPeers.delete(entry));
    });
  }

  /** The membership changed. Act only inside a quorate view. */
  onView(view: View): void {
    for (const m of view.members) this.seen.add(m);
    // Not queued: what waits on a removed CPU is what the queue is stuck behind.
    for (const p of this.toPeers) if (!view.members.includes(p.to)) p.abort();
    this.serial(async () => {
      const r = (await this.readRecord()) ?? this.record;
      if (!r) return;
      this.record = r;
      if (r.epoch > this.epoch && this.role !== "primary") this.epoch = r.epoch;
      // Named as backup but holding no state yet (booted before the routers carried traffic,
      // or restarted): ask the primary again now that the membership moved.
      if (this.role === "spare" && r.backup === this.d.self && r.primary !== this.d.self && view.members.includes(r.primary)) {
        await this.d.transport.sendBoth(r.primary, this.d.planes, "/servernet/resync", { service: r.service, from: this.d.self }, 2000).catch(() => undefined);
      }
      if (!this.d.membership.quorate) {
        if (this.role === "primary") await this.fence(`lost the majority (view ${view.id})`);
        return;
      }
      // The record on the RAID says who the backup is. A CPU that was replaced as backup
      // (its state went stale) learns it here and must never take over.
      // A record naming *no* backup is not a demotion: the primary hands its state over
      // first and names the backup after, and may die in between. A backup holding the
      // state of this very epoch is then the only copy, and must take over.
      // Nor is a record naming a backup that this view has removed: that record is older
      // than the view, and the primary is replacing it. It hands its state to the new
      // backup and only then rewrites the record, so the new backup, reading the record
      // in between, found the dead CPU's name, stepped down, and was named backup a moment
      // later while a spare: the record said protected, and no CPU would have taken over.
      if (this.role === "backup" && r.backup !== null && r.backup !== this.d.self && view.members.includes(r.backup)) {
        this.role = "spare";
        this.d.onEvent({ type: "pair.spare", service: r.service, epoch: r.epoch, why: `${r.backup ?? "no CPU"} is the backup now` });
        return;
      }
      const wanted = this.role === "primary" ? [...this.resyncWanted].find((m) => view.members.includes(m)) : undefined;
      if (wanted) this.resyncWanted.delete(wanted);
      if (this.role === "backup" && r.primary !== this.d.self && !view.members.includes(r.primary) && this.seen.has(r.primary)) await this.takeover(r);
      else if (this.role === "primary" && wanted) await this.reprotect(view, wanted);
      else if (this.role === "primary" && (!r.backup || !view.members.includes(r.backup))) await this.reprotect(view);
    });
  }

  private serial(fn: () => Promise<void>): void {
    if (this.stopped) return;
    this.queue = this.queue.then(fn).catch((err: unknown) => this.d.onEvent({ type: "pair.error", service: this.d.service.name, error: String(err) }));
  }

  /** Set by stop(): the pair takes no new work, so nothing it does outlives its stop. */
  private stopped = false;

  /**
   * Stops the pair: it queues nothing more (views, resyncs, re-protection, changes), and
   * the returned promise settles only once the work already queued has finished, its last
   * RAID write included. A caller that removes the mirrors after `await stop()` (the agent
   * at shutdown, a test's teardown) never races a write still on its way to the disk.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.catch(() => undefined);
  }

  private async takeover(r: PairRecord): Promise<void> {
    const t0 = Date.now();
    if (r.backup !== this.d.self && !(r.backup === null && this.epoch === r.epoch)) return;
    const next: PairRecord = { service: r.service, epoch: r.epoch + 1, primary: this.d.self, backup: null };
    await this.writeRecord(next);
    this.role = "primary";
    this.takenOverAt = Date.now();
    this.exposedSince = this.takenOverAt;
    // How long the epoch took to reach both mirrors, synced: the fencing that makes the
    // takeover safe, and on a busy host the largest part of it (docs/performance.md).
    this.d.onEvent({ type: "pair.takeover", service: r.service, epoch: next.epoch, from: r.primary, seq: this.state.seq, epochMs: this.takenOverAt - t0 });
    await this.d.address.take();
    this.d.onEvent({ type: "address.moved", service: r.service, to: this.d.self, ms: Date.now() - t0 });
    // Serves first, then re-protects: the first change committed re-protects (commit()),
    // and ensureProtected's next look does where no change comes. Re-protected here, the
    // snapshot to a spare (12 to 39 ms under load) sat in front of every client waiting for
    // the service, since the first requests reach the new primary only once the address
    // has moved. Tandem's new primary ran without a backup too, until one was reloaded; a
    // change it acknowledges meanwhile is on the mirrored journal, as every change is.
  }

  /** Starts a new backup on another live CPU: hands it the whole state, then names it in the record. */
  private async reprotect(view: View, prefer?: string): Promise<void> {
    const r = this.record;
    if (!r || this.role !== "primary") return;
    // A stale primary (paused through a takeover) must never hand out its state or rewrite
    // the record, nor may one cut off in a minority.
    if (await this.superseded()) return;
    if (!this.d.membership.quorate) return;
    const others = view.members.filter((m) => m !== this.d.self);
    // A backup the membership still counts as alive is only ever re-synced, never replaced:
    // that it did not answer *us* may mean we are the one cut off. Only an installed view
    // that leaves it out (or its own resync request) lets the record name another CPU.
    const current = r.backup && r.backup !== prefer && view.members.includes(r.backup) ? r.backup : undefined;
    const order = current ? [current] : [...(prefer ? [prefer] : []), ...others].filter((m, i, a) => others.includes(m) && a.indexOf(m) === i);
    for (const to of order) {
      const t0 = Date.now();
      try {
        await this.whileMember(to, this.d.transport.sendBoth(to, this.d.planes, "/servernet/snapshot", { service: r.service, epoch: this.epoch, state: this.state, primary: this.d.self }, 2000));
        await this.writeRecord({ ...r, epoch: this.epoch, primary: this.d.self, backup: to });
        this.backupInDoubt = false;
        const exposedMs = this.exposedSince ? Date.now() - this.exposedSince : 0;
        this.exposedSince = 0;
        this.unprotectedSaid = false;
        this.d.onEvent({ type: "pair.reprotected", service: r.service, backup: to, seq: this.state.seq, ms: Date.now() - t0, exposedMs });
        return;
      } catch {
        // try the next CPU
      }
    }
    if (current) {
      this.d.onEvent({ type: "pair.resync-failed", service: r.service, backup: current });
      return;
    }
    if (r.backup) await this.writeRecord({ ...r, backup: null });
    // Once per exposure: the supervisor retries every half second, and says so only once.
    if (!this.unprotectedSaid) this.d.onEvent({ type: "pair.unprotected", service: r.service, reason: "no live CPU took the backup" });
    this.unprotectedSaid = true;
  }

  /**
   * Re-protection on every path. However this CPU came to be primary (first boot, takeover,
   * resume after fencing, restart recovery), it must not stay without a backup while
   * another CPU is in its view: the next failure would then have no takeover at all. The
   * node calls this a few times a second; it costs nothing while the pair is protected.
   * A backup whose last checkpoint was in doubt is re-synced too, rather than at the next
   * change, so a failure before that change finds a backup in step.
   */
  ensureProtected(): void {
    const now = Date.now();
    if (this.role !== "primary" || this.protecting || !this.d.membership.quorate) return;
    const view = this.d.membership.view;
    const backup = this.record?.backup;
    const covered = !!backup && view.members.includes(backup);
    // A kept resync request (see onResync) is work too: the record may name a CPU that holds nothing.
    const wanted = [...this.resyncWanted].find((m) => view.members.includes(m));
    if (covered && !this.backupInDoubt && wanted === undefined) {
      this.exposedSince = 0;
      return;
    }
    if (!view.members.some((m) => m !== this.d.self)) return;
    if (!this.exposedSince && !covered) this.exposedSince = now;
    if (now < this.retryProtectAt) return;
    this.protecting = true;
    this.serial(async () => {
      try {
        const now = this.d.membership.view;
        const w = [...this.resyncWanted].find((m) => now.members.includes(m));
        if (w !== undefined) this.resyncWanted.delete(w);
        await this.reprotect(now, w);
      } finally {
        this.protecting = false;
        const b = this.record?.backup;
        if (this.role === "primary" && (!b || this.backupInDoubt)) this.retryProtectAt = Date.now() + 500;
      }
    });
  }

  private async fence(why: string): Promise<void> {
    if (this.role !== "primary") return;
    this.role = "spare";
    this.exposedSince = 0;
    this.fencedEpoch = this.epoch;
    await this.d.address.release();
    this.d.onEvent({ type: "pair.fenced", service: this.d.service.name, epoch: this.epoch, why });
  }

  /**
   * A state change: journal, checkpoint to the backup over both planes, fence check, then
   * apply and ack. Changes that arrive while one is in flight are committed together
   * (group commit): one journal write, one checkpoint and one fence check for the lot, so
   * the pair's throughput grows with its load instead of capping at one change per disk
   * sync plus round trip.
   *
   * `abandoned` is the client's connection closing: a change still queued when its client
   * gave up is dropped unstarted. Without that, a burst of requests that timed out during a
   * takeover (clients retransmit their SYNs together once the address moves) is worked off
   * anyway, every new request waits behind it past its own deadline, and the service stays
   * "down" for seconds while busy: a metastable failure.
   */
  write(op: PairOp, abandoned?: AbortSignal): Promise<Ack> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new NotPrimary(`${this.d.self}'s pair for ${this.d.service.name} is stopped`));
      this.pending.push({ op, abandoned, resolve, reject });
      if (this.pending.length === 1) {
        // The first of a batch schedules the commit; later arrivals join it until it starts.
        const run = () => this.commitPending();
        this.queue = this.queue.then(run, run).catch(() => undefined);
      }
    });
  }

  private pending: { op: PairOp; abandoned: AbortSignal | undefined; resolve: (r: Ack) => void; reject: (e: unknown) => void }[] = [];

  private async commitPending(): Promise<void> {
    const all = this.pending.splice(0, this.pending.length);

    const batch = all.filter((w) => {
      if (!w.abandoned?.aborted) return true;
      w.reject(new ClientGone("the client went away before the change started"));
      return false;
    });
    if (batch.length === 0) return;
    try {
      const acks = await this.commit(batch.map((w) => w.op));
      this.step("before-ack");
      batch.forEach((w, i) => {
        const ack = acks[i];
        if (ack) w.resolve(ack);
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  private step(step: CrashStep): void {
    this.d.crash?.reached(this.d.service.name, step);
  }

  /**
   * Whether `peer` is out of the installed view by `deadline`. The view that drops it says
   * so at once, through the same entries a send to it is given up by (whileMember).
   */
  private leftView(peer: string, deadline: number): Promise<boolean> {
    const out = () => !this.d.membership.view.members.includes(peer);
    if (out()) return Promise.resolve(true);
    return new Promise((resolve) => {
      // Called only once `timer` is set: by the view (the entry is added last) or by the timer.
      const entry = {
        to: peer,
        abort: () => {
          clearTimeout(timer);
          this.toPeers.delete(entry);
          resolve(out());
        },
      };
      const timer = setTimeout(entry.abort, Math.max(0, deadline - Date.now()));
      this.toPeers.add(entry);
    });
  }

  /** Commits changes in order, all or none acknowledged. */
  private async commit(ops: PairOp[]): Promise<Ack[]> {
    if (this.role !== "primary") throw new NotPrimary(`${this.d.self} is ${this.role} for ${this.d.service.name}`);
    if (!this.d.membership.quorate) throw new NotPrimary(`${this.d.self} is not in a majority view`);
    if (this.backupInDoubt) {
      await this.reprotect(this.d.membership.view);
      if (this.backupInDoubt) throw new Error(`backup ${this.record?.backup ?? "?"} is out of step and could not be re-synced`);
    }
    const entries = ops.map((op, i) => ({ seq: this.state.seq + 1 + i, op }));
    this.step("before-journal");
    await this.d.raid.appendMany(
      this.journal,
      entries.map((e) => JSON.stringify({ epoch: this.epoch, ...e })),
    );
    this.step("after-journal");
    const backup = this.record?.backup;
    if (backup && this.d.membership.view.members.includes(backup)) {
      const deadline = Date.now() + this.d.checkpointTimeoutMs;
      try {
        const send = () =>
          this.whileMember(backup, this.d.transport.sendBoth(backup, this.d.planes, "/servernet/checkpoint", { service: this.d.service.name, epoch: this.epoch, entries }, this.d.checkpointTimeoutMs) as Promise<{ ok?: boolean; reason?: string }>);
        let reply = await send();
        if (!reply.ok) {
          // The backup is not in step (it restarted, or never got our state): hand it the
          // whole state, then the changes again. Only an explicit ok counts.
          this.d.onEvent({ type: "pair.resync", service: this.d.service.name, backup, reason: reply.reason ?? "refused" });
          await this.reprotect(this.d.membership.view, backup);
          reply = this.record?.backup === backup ? await send() : { ok: this.record?.backup === null };
          if (!reply.ok && this.record?.backup) throw new Error(`backup ${this.record.backup} refused the checkpoint: ${reply.reason ?? "?"}`);
        }
      } catch (err) {
        if (await this.superseded()) throw new NotPrimary("superseded");
        // A backup that died may or may not have applied them, but a view without it is
        // the end of it as a backup: it can never take over, and it is re-synced whole if
        // it comes back. The changes are on the mirrored journal, so they commit without
        // it, as they do when no backup is in the view, and the re-protection follows.
        // Failing them instead answered the client 500 for a change that was journaled:
        // in doubt, never retried (the sweep's backup kill was "degraded" for it). A
        // backup its links dropped is in the view a moment longer, so its removal is
        // waited for, up to the checkpoint's own deadline.
        if (!(await this.leftView(backup, deadline))) {
          // Still a member (a slow or cut-off backup, alive as far as the view knows):
          // the backup may or may not have applied them; re-sync it before the next change.
          this.backupInDoubt = true;
          throw new Error(`checkpoint to ${backup} failed: ${String(err)}`);
        }
        if (!this.d.membership.quorate) throw new NotPrimary(`${this.d.self} is not in a majority view`);
        this.d.onEvent({ type: "pair.backup-lost", service: this.d.service.name, backup, seq: this.state.seq });
      }
    }
    // Fencing: a primary that was paused past a takeover finds a newer epoch here and stops.
    if (await this.superseded()) throw new NotPrimary("superseded");
    // Committed: on the RAID and in the backup. Only this CPU's memory and the reply remain.
    this.step("after-commit");
    // Applied in order, each answering what it saw (a transaction's reads).
    const results = entries.map((e) => apply(this.state, e.op));
    if (this.takenOverAt) {
      // The first change acknowledged after a takeover: the service is back, as the pair
      // sees it, and a backup is made next, behind the changes already waiting.
      this.d.onEvent({ type: "pair.serving", service: this.d.service.name, epoch: this.epoch, msSinceTakeover: Date.now() - this.takenOverAt });
      this.takenOverAt = 0;
      this.serial(async () => {
        const view = this.d.membership.view;
        const b = this.record?.backup;
        // Not again if ensureProtected got there first: reprotect re-syncs a live backup whole.
        if (!b || !view.members.includes(b)) await this.reprotect(view);
      });
    }
    return entries.map((e, i) => {
      const result = results[i];
      return { seq: e.seq, epoch: this.epoch, ...(result !== undefined ? { result } : {}) };
    });
  }

  /**
   * The appended items as the journal on the RAID holds them, read verified (so a corrupt
   * or blank mirror is repaired on the way): what the disk would give back after a crash.
   * A later entry with the same sequence number replaces an earlier one, which a primary
   * that lost its epoch journaled but never acknowledged.
   */
  async itemsOnDisk(): Promise<string[]> {
    const bySeq = new Map<number, PairOp>();
    for (const line of await this.d.raid.readJournal(this.journal)) {
      const e = JSON.parse(line) as { seq: number; op?: PairOp };
      if (e.op) bySeq.set(e.seq, e.op);
    }
    return [...bySeq.entries()].sort((x, y) => x[0] - y[0]).flatMap(([, op]) => (op.f === "add" ? [op.value] : []));
  }

  /**
   * The state the journal holds: its changes in sequence order, where a later entry with
   * the same sequence number replaces an earlier one (a primary that lost its epoch
   * journaled it but never acknowledged it).
   */
  private async replayJournal(): Promise<PairState> {
    const bySeq = new Map<number, PairOp>();
    for (const line of await this.d.raid.readJournal(this.journal)) {
      const e = JSON.parse(line) as { seq: number; op?: PairOp };
      if (e.op) bySeq.set(e.seq, e.op);
    }
    const state = emptyState();
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const op = bySeq.get(seq);
      if (op) apply(state, op);
      state.seq = seq;
    }
    return state;
  }

  /** On the backup: apply checkpointed changes, in order, from the current primary only. */
  onCheckpoint(msg: { epoch: number; entries: { seq: number; op: PairOp }[] }): { ok: boolean; reason?: string } {
    if (this.role !== "backup") return { ok: false, reason: `not a backup (${this.role})` };
    if (msg.epoch < this.epoch) return { ok: false, reason: `stale epoch ${msg.epoch} < ${this.epoch}` };
    for (const e of msg.entries) {
      if (e.seq <= this.state.seq) continue; // a duplicate from the other plane
      if (e.seq !== this.state.seq + 1) return { ok: false, reason: `gap: have ${this.state.seq}, got ${e.seq}` };
      apply(this.state, e.op);
    }
    return { ok: true };
  }

  /** On a spare chosen as the new backup: take the primary's whole state. */
  onSnapshot(msg: { epoch: number; state: PairState; primary: string }): { ok: boolean; reason?: string } {
    // Only from the primary of the newest epoch this CPU knows of.
    if (msg.epoch < this.epoch) return { ok: false, reason: `stale epoch ${msg.epoch} < ${this.epoch}` };
    if (this.record && msg.epoch === this.record.epoch && this.record.primary !== msg.primary) return { ok: false, reason: `${msg.primary} is not the primary of epoch ${msg.epoch}` };
    if (this.role === "primary") return { ok: false };
    this.state = msg.state;
    this.epoch = msg.epoch;
    this.role = "backup";
    this.seen.add(msg.primary);
    this.record = { service: this.d.service.name, epoch: msg.epoch, primary: msg.primary, backup: this.d.self };
    this.d.onEvent({ type: "pair.backup", service: this.d.service.name, epoch: msg.epoch, primary: msg.primary, seq: msg.state.seq });
    return { ok: true };
  }

}
