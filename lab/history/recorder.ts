// Records a run's history as it happens: entries get their index and time here, and are
// appended to a JSONL file as they come (a crashed run keeps what it saw). Reloading a
// file gives back the same entries, for checking offline.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { HistoryEntry } from "./types.js";

type Without<T> = T extends unknown ? Omit<T, "index" | "time"> : never;

export class HistoryRecorder {
  readonly entries: HistoryEntry[] = [];
  private readonly t0 = performance.now();
  /** The wall clock at t0, to place events stamped elsewhere (the CPUs) on this clock. */
  private readonly wall0 = Date.now();
  private out: WriteStream | undefined;

  /** µs since the recorder started. */
  now(): number {
    return Math.round((performance.now() - this.t0) * 1000);
  }

  /** A wall-clock time (epoch ms) on this history's clock (µs since start). */
  fromWall(ms: number): number {
    return Math.round((ms - this.wall0) * 1000);
  }

  /** Streams every entry, from now on, to `path` as JSONL. */
  async streamTo(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: "w" });
    for (const e of this.entries) this.out.write(`${JSON.stringify(e)}\n`);
  }

  /** Appends an entry at `time` (µs; defaults to now). */
  add(entry: Without<HistoryEntry>, time = this.now()): HistoryEntry {
    const e: HistoryEntry = { ...entry, index: this.entries.length, time };
    this.entries.push(e);
    this.out?.write(`${JSON.stringify(e)}\n`);
    return e;
  }

  async close(): Promise<void> {
    const out = this.out;
    this.out = undefined;
    if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

export async function loadHistory(path: string): Promise<HistoryEntry[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HistoryEntry);
}
