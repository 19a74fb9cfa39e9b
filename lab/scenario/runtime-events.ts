// Pulls the runtime's events (detection, regroup, takeover, fencing, mirror state) from
// every CPU during a run and records them in the history on the run's clock.
import type { FaultContext } from "../faults/context.js";
import type { HistoryRecorder } from "../history/recorder.js";
import { httpJson } from "../util/http.js";

interface RemoteEvent {
  seq: number;
  time: number;
  cpu: string;
  type: string;
  detail: Record<string, unknown>;
}

export class RuntimeEventPump {
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

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
          const url = await this.ctx.agentUrl(c.name).catch(() => undefined);
          if (!url) return;
          const since = this.seen.get(c.name) ?? 0;
          const events = await httpJson<RemoteEvent[]>(`${url}/events?since=${since}`, 400).catch(() => []);
          for (const e of events) {
            // A restarted CPU starts counting again from 1.
            if (e.seq <= since && events[0] && events[0].seq > 1) continue;
            this.recorder.add({ type: "event", cpu: e.cpu, name: e.type, detail: e.detail }, this.recorder.fromWall(e.time));
          }
          const last = events[events.length - 1];
          if (last) this.seen.set(c.name, last.seq);
        }),
      );
    } finally {
      this.polling = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.poll();
  }
}
