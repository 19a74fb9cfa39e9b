// The virtual processor: a compute service run as three replicas on three CPUs, and a
// voter that asks all of them and answers only what a majority of the three agree on. A
// replica that answers differently from the majority is switched off: never asked again,
// and named in an event. The voter runs beside the web pair's primary (it answers at the
// service address); which replicas are switched off is a record on the RAID, so a voter on
// a new primary after a takeover keeps them off.
import type { EventLog } from "../events.js";
import type { ServerNet } from "../membership/transport.js";
import type { Raid1 } from "../raid/raid1.js";
import type { PlaneName } from "../../lab/topology/types.js";
import { compute, corrupted } from "./compute.js";

/** The replica side, on every CPU: computes, or computes wrongly while a fault says so. */
export class Replica {
  private readonly diverging = new Set<string>();

  answer(x: number): string {
    const right = compute(x);
    return this.diverging.size > 0 ? corrupted(right) : right;
  }

  /** The `replica.diverge` fault: from now on, wrong answers. */
  diverge(id: string): void {
    this.diverging.add(id);
  }

  heal(id: string): boolean {
    return this.diverging.delete(id);
  }

  get divergent(): string[] {
    return [...this.diverging];
  }
}

export interface VoterDeps {
  self: string;
  /** The three CPUs that run the replicas. */
  replicas: string[];
  replica: Replica;
  transport: ServerNet;
  planes: PlaneName[];
  raid: Raid1;
  events: EventLog;
  /** The RAID file that holds the switched-off replicas. */
  file: string;
  timeoutMs: number;
}

export type Vote = { ok: true; value: string; votes: number; of: number } | { ok: false; reason: string };

export class Voter {
  private off: Set<string> | undefined;

  constructor(private readonly d: VoterDeps) {}

  /** The switched-off replicas, as the RAID has them. */
  async switchedOff(): Promise<string[]> {
    if (!this.off) {
      const raw = await this.d.raid.readFile(this.d.file);
      this.off = new Set(raw ? (JSON.parse(raw.toString("utf8")) as { off: string[] }).off : []);
    }
    return [...this.off];
  }

  private ask(cpu: string, x: number): Promise<string> {
    if (cpu === this.d.self) return Promise.resolve(this.d.replica.answer(x));
    return this.d.transport.sendBoth(cpu, this.d.planes, "/servernet/replica", { x }, this.d.timeoutMs).then((r) => {
      const v = (r as { value?: unknown }).value;
      if (typeof v !== "string") throw new Error(`${cpu} gave no answer`);
      return v;
    });
  }

  /**
   * Asks every replica still on. A value needs a majority of the *three* (two votes), so
   * with one replica off the other two must agree, and a silent (crashed) replica is never
   * outvoted, only missing.
   */
  async vote(x: number): Promise<Vote> {
    const off = new Set(await this.switchedOff());
    const asked = this.d.replicas.filter((c) => !off.has(c));
    const answers = await Promise.allSettled(asked.map((c) => this.ask(c, x)));
    const tally = new Map<string, string[]>();
    answers.forEach((a, i) => {
      const cpu = asked[i];
      if (a.status === "fulfilled" && cpu) tally.set(a.value, [...(tally.get(a.value) ?? []), cpu]);
    });
    const need = Math.floor(this.d.replicas.length / 2) + 1;
    const [value, voters] = [...tally.entries()].sort((p, q) => q[1].length - p[1].length)[0] ?? ["", []];
    if (voters.length < need) return { ok: false, reason: `no majority: ${JSON.stringify(Object.fromEntries(tally))} of ${asked.join(", ")}` };
    for (const [other, cpus] of tally) {
      if (other === value) continue;
      for (const cpu of cpus) await this.switchOff(cpu, x, other, value);
    }
    return { ok: true, value, votes: voters.length, of: this.d.replicas.length };
  }

  private async switchOff(cpu: string, x: number, got: string, want: string): Promise<void> {
    const off = new Set(await this.switchedOff());
    if (off.has(cpu)) return;
    off.add(cpu);
    this.off = off;
    await this.d.raid.writeFile(this.d.file, JSON.stringify({ off: [...off] }));
    this.d.events.push({ type: "replica.votedOut", replica: cpu, x, got, want });
  }
}
