// What a scenario's workload does against the web service, as operations and requests.
//   read     GET the path (default /whoami)
//   add      POST /add?v=<unique>: writes, judged by the final read-all
//   mixed    add, alternating with GET /disk/all: reads served from the RAID's journal
//   compute  GET /compute?x=<i>: the voted (TMR) computation
//   txn      POST /txn: a transaction of list appends and reads, for the listAppend check
import type { ListMop } from "../../runtime/services/state/lists.js";
import { TXN_F } from "../checks/elle/history.js";
import type { Operation } from "./types.js";

export const SERVICE_OPS = ["read", "add", "mixed", "compute", "txn"] as const;
export type ServiceOps = (typeof SERVICE_OPS)[number];

/** Keys live at once in a txn workload, and how many transactions before they are replaced (reads stay short). */
const TXN_KEYS = 4;
const TXN_KEY_LIFE = 50;

/**
 * The i-th transaction: one to four appends and reads over the live keys, drawn from i
 * alone (the same workload every run). Appended values are unique (4i + j), as the
 * checker needs; reads go out empty and come back with the list they saw.
 */
export function txnFor(i: number): ListMop[] {
  // murmur3's finaliser over 32-bit integers: well mixed, and the same on every run.
  let h = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    return (h ^= h >>> 16) >>> 0;
  };
  const window = Math.floor(i / TXN_KEY_LIFE) * TXN_KEYS;
  return Array.from({ length: 1 + (next() % 4) }, (_, j): ListMop => {
    const key = `k${window + (next() % TXN_KEYS)}`;
    return next() % 2 === 0 ? { f: "append", key, value: i * 4 + j } : { f: "r", key, value: null };
  });
}

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
    case "txn":
      return { f: TXN_F, value: txnFor(i) };
  }
}

export function requestFor(op: Operation, readPath = "/whoami"): { method: string; path: string; body?: string } {
  switch (op.f) {
    case "add":
      return { method: "POST", path: `/add?v=${encodeURIComponent(String(op.value))}` };
    case "disk-read":
      return { method: "GET", path: "/disk/all" };
    case "compute":
      return { method: "GET", path: `/compute?x=${String(op.value)}` };
    case TXN_F:
      return { method: "POST", path: "/txn", body: JSON.stringify(op.value) };
    default:
      return { method: "GET", path: readPath };
  }
}

/** The serving CPU and the result worth keeping from a 2xx response body. */
export function parseReply(body: string): { value?: unknown; node?: string } {
  try {
    const b = JSON.parse(body) as { cpu?: unknown; seq?: unknown; epoch?: unknown; items?: unknown; value?: unknown; votes?: unknown; mops?: unknown };
    const node = typeof b.cpu === "string" ? { node: b.cpu } : {};
    // A transaction's answer is its mops, each read with what it saw (the listAppend check).
    if (Array.isArray(b.mops)) return { ...node, value: b.mops };
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
