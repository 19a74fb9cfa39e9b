// An open-loop load generator: operation i is due at start + i/rate, and is issued then
// whether or not earlier ones have finished. Its invoke is recorded at the due time and its
// latency counted from it, so a stalled server shows up as a stall and coordinated
// omission cannot hide it.
import type { HistoryRecorder } from "../history/recorder.js";
import type { Client, Operation, Outcome } from "./types.js";

export interface OpenLoopSpec {
  /** Operations per second. */
  rate: number;
  /** The i-th operation. */
  op: (i: number) => Operation;
  /** At most this many in flight; a due op beyond it fails at once ("client saturated"). */
  maxInFlight?: number;
  /** Tags every operation with the service it goes to, when a run drives several. */
  service?: string;
  /** Where this workload's process numbers start, so several workloads never share one. */
  processBase?: number;
}

export interface LoadStats {
  /** How late the generator issued operations, against their due times: a sustained rate keeps this small. */
  maxLagUs: number;
  lagSumUs: number;
  issued: number;
  completed: number;
  inFlight: number;
  ok: number;
  failed: number;
  unknown: number;
}

export class OpenLoop {
  readonly stats: LoadStats = { maxLagUs: 0, lagSumUs: 0, issued: 0, completed: 0, inFlight: 0, ok: 0, failed: 0, unknown: 0 };
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private nextProcess: number;
  private readonly idle: number[] = [];

  constructor(
    private readonly client: Client,
    private readonly recorder: HistoryRecorder,
    private readonly spec: OpenLoopSpec,
  ) {
    this.nextProcess = spec.processBase ?? 0;
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops issuing; waits for operations in flight (each bounded by the client's timeout). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.all([...this.pending]);
  }

  // Jepsen's process discipline: a process does one operation at a time, and a process
  // whose operation ended in info is never reused (its outcome is unknown for good).
  private takeProcess(): number {
    return this.idle.pop() ?? this.nextProcess++;
  }

  private issue(i: number, dueUs: number): void {
    const op = this.spec.op(i);
    const process = this.takeProcess();
    this.recorder.add({ type: "invoke", process, f: op.f, ...(op.value !== undefined ? { value: op.value } : {}), ...(this.spec.service ? { service: this.spec.service } : {}) }, dueUs);
    this.stats.issued++;
    const lag = this.recorder.now() - dueUs;
    this.stats.lagSumUs += lag;
    if (lag > this.stats.maxLagUs) this.stats.maxLagUs = lag;
    if (this.stats.inFlight >= (this.spec.maxInFlight ?? 1000)) {
      this.complete(process, op, dueUs, { type: "fail", error: "client saturated: too many operations in flight" });
      return;
    }
    this.stats.inFlight++;
    const p = this.client
      .invoke(op, this.abort.signal)
      .catch((err: unknown): Outcome => ({ type: "info", error: err instanceof Error ? err.message : String(err) }))
      .then((outcome) => {
        this.stats.inFlight--;
        this.complete(process, op, dueUs, outcome);
      });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private complete(process: number, op: Operation, dueUs: number, o: Outcome): void {
    const now = this.recorder.now();
    this.recorder.add(
      {
        type: o.type,
        process,
        f: op.f,
        latency: now - dueUs,
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.node ? { node: o.node } : {}),
        ...(o.error ? { error: o.error } : {}),
        ...(this.spec.service ? { service: this.spec.service } : {}),
        ...(o.attempts !== undefined && o.attempts > 1 ? { attempts: o.attempts } : {}),
      },
      now,
    );
    this.stats.completed++;
    if (o.type === "ok") this.stats.ok++;
    else if (o.type === "fail") this.stats.failed++;
    else this.stats.unknown++;
    if (o.type !== "info") this.idle.push(process);
  }

  private async run(): Promise<void> {
    const intervalUs = 1e6 / this.spec.rate;
    const startUs = this.recorder.now();
    let i = 0;
    while (!this.abort.signal.aborted) {
      const now = this.recorder.now();
      // Issue everything that has fallen due, each stamped with its own due time.
      while (startUs + i * intervalUs <= now) {
        this.issue(i, Math.round(startUs + i * intervalUs));
        i++;
      }
      const wait = (startUs + i * intervalUs - this.recorder.now()) / 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, 50))));
    }
  }
}
