// Pulls the runtime's events (detection, regroup, takeover, fencing, mirror state) from
// every CPU during a run and records them in the history on the run's clock.
import type { FaultContext } from "../faults/context.js";
import type { HistoryRecorder } from "../history/recorder.js";

export class RuntimeEventPump implements AsyncDisposable {
  private readonly seen = new Map<string, { boot: string; seq: number }>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly ctx: FaultContext,
    private readonly recorder: HistoryRecorder,
  ) {}

  start(everyMs = 250): this {
    this.timer = setInterval(() => void this.poll(), everyMs);
    return this;
  }

  /** One pass over every CPU that answers; a dead or paused CPU is simply skipped. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(
        this.ctx.topology.cpus.map(async (c) => {
          const seen = this.seen.get(c.name) ?? { boot: "", seq: 0 };
          // A restarted CPU has a new boot id and numbers its events from 1 again; asking
          // with the old boot id gets everything it holds.
          const r = await this.ctx.agent(c.name).events(seen.seq, seen.boot, 400).catch(() => undefined);
          if (!r) return;
          for (const e of r.events) this.recorder.add({ type: "event", cpu: e.cpu, name: e.type, detail: e.detail }, this.recorder.fromWall(e.time));
          this.seen.set(c.name, { boot: r.boot, seq: r.events.at(-1)?.seq ?? (r.boot === seen.boot ? seen.seq : 0) });
        }),
      );
    } finally {
      this.polling = false;
    }
  }

  /** Stops polling, after one last pass for what happened since the previous one. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.poll();
  }

  /** Stops it if the run did not (an early exit); the last pass is skipped then, the lab being torn down. */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
    return Promise.resolve();
  }
}
