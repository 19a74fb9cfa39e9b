// What a scenario's workload does against the web service, as operations and requests.
//   read     GET the path (default /whoami)
//   add      POST /add?v=<unique>: writes, judged by the final read-all
//   mixed    add, alternating with GET /disk/all: reads served from the RAID's journal
//   compute  GET /compute?x=<i>: the voted (TMR) computation
import type { Operation } from "./types.js";

export type ServiceOps = "read" | "add" | "mixed" | "compute";
export const SERVICE_OPS: readonly ServiceOps[] = ["read", "add", "mixed", "compute"];

/** The i-th operation of the workload. */
export function opFor(ops: ServiceOps, i: number): Operation {
  switch (ops) {
    case "read":
      return { f: "get" };
    case "add":
      return { f: "add", value: `v${i}` };
    case "mixed":
      return i % 2 === 0 ? { f: "add", value: `v${i}` } : { f: "disk-read" };
    case "compute":
      return { f: "compute", value: i };
  }
}

export function requestFor(op: Operation, readPath = "/whoami"): { method: string; path: string } {
  switch (op.f) {
    case "add":
      return { method: "POST", path: `/add?v=${encodeURIComponent(String(op.value))}` };
    case "disk-read":
      return { method: "GET", path: "/disk/all" };
    case "compute":
      return { method: "GET", path: `/compute?x=${String(op.value)}` };
    default:
      return { method: "GET", path: readPath };
  }
}

/** The serving CPU and the result worth keeping from a 2xx response body. */
export function parseReply(body: string): { value?: unknown; node?: string } {
  try {
    const b = JSON.parse(body) as { cpu?: unknown; seq?: unknown; epoch?: unknown; items?: unknown; value?: unknown; votes?: unknown };
    const node = typeof b.cpu === "string" ? { node: b.cpu } : {};
    // A write's acknowledgement carries the epoch it was applied under (the splitBrain check).
    if (typeof b.seq === "number") return { ...node, value: { seq: b.seq, epoch: b.epoch } };
    if (Array.isArray(b.items)) return { ...node, value: b.items };
    if (typeof b.value === "string") return { ...node, value: b.value };
    return node;
  } catch {
    return {};
  }
}

/** Whether the workload writes, and so ends with a read-all for the lostWrites check. */
export function writes(ops: ServiceOps): boolean {
  return ops === "add" || ops === "mixed";
}
