// An NFS-like client: whole-file writes, retransmitted after a lost reply until
// acknowledged (the operations are idempotent, so a repeat does no harm).
import { Agent } from "node:http";
import type { FileCache } from "../../topology/types.js";
import { attemptOf, httpCall } from "../http-call.js";
import { retryUntil } from "../retry.js";
import type { Client, Operation, Outcome } from "../types.js";

export interface FileWriteValue {
  path: string;
  data: string;
  cache: FileCache;
}

export function fileWriteFor(i: number, run: string, cache: FileCache): Operation {
  return { f: "file-write", value: { path: `${run}/f${i}.txt`, data: `contents of file ${i} (${run})`, cache } satisfies FileWriteValue };
}

export class FilesClient implements Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });

  constructor(private readonly spec: { baseUrl: string; timeoutMs: number; deadlineMs: number }) {}

  invoke(op: Operation, signal: AbortSignal): Promise<Outcome> {
    const w = op.value as FileWriteValue;
    return retryUntil(
      async () => {
        const r = await httpCall(`${this.spec.baseUrl}/f/${w.path}`, { method: "PUT", body: w.data, timeoutMs: this.spec.timeoutMs, agent: this.agent });
        return attemptOf(r, (a) => ({ type: "ok", value: w, ...(a.node ? { node: a.node } : {}) }));
      },
      { deadlineMs: this.spec.deadlineMs, backoffMs: 100 },
      signal,
    );
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}
