import { randomBytes } from "node:crypto";
import type { RuntimeEventBody } from "./agent/api.js";

// The runtime's events (detection, regroup, takeover, address moves, re-protection,
// fencing, mirror state), kept in a ring with wall-clock times so the lab controller can
// pull them into a run's history (GET /events?since=N).
export interface RuntimeEvent {
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  cpu: string;
  type: string;
  detail: Record<string, unknown>;
}

export class EventLog {
  private readonly ring: RuntimeEvent[] = [];
  private seq = 0;
  /** Differs on every start of the agent: its numbering restarts at 1 after a reboot. */
  readonly boot = randomBytes(4).toString("hex");

  /**
   * `echo` gets each event as a JSON line as it is recorded: the agent passes stdout, which
   * is the CPU container's log (`docker logs`). Left out (unit tests), nothing is printed.
   */
  constructor(
    private readonly cpu: string,
    private readonly opts: { capacity?: number; echo?: (line: string) => void } = {},
  ) {}

  /** Records an event as its module raised it (its type, and the rest as its detail). */
  push(event: RuntimeEventBody): void {
    const { type, ...detail } = event;
    const e = { seq: ++this.seq, time: Date.now(), cpu: this.cpu, type, detail };
    this.ring.push(e);
    if (this.ring.length > (this.opts.capacity ?? 5000)) this.ring.shift();
    this.opts.echo?.(JSON.stringify(e));
  }

  /** Events after `seq` of boot `boot`; everything held when `boot` is another (older) one. */
  since(seq: number, boot?: string): { boot: string; events: RuntimeEvent[] } {
    const from = boot === this.boot ? seq : 0;
    return { boot: this.boot, events: this.ring.filter((e) => e.seq > from) };
  }
}
