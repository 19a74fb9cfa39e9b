// The survival scorecard: one fault against every service at once, and each service
// classified by what its clients lived through, reproducing the paper's section 4 table
// from measurements:
//   transparent            every operation succeeded at its first attempt (only slower)
//   survived with retry    some needed the client to send again; nothing lost, none failed
//   session lost           the connection's state died with the primary: start over
//   data lost              the service acknowledged writes it then lost
//   failed                 operations failed for good
import { faultWindows, pairOps } from "../history/history.js";
import type { PairedOp } from "../history/types.js";
import type { TxState } from "../../runtime/services/state/transactions.js";
import type { FileWriteValue } from "../workload/clients/files.js";
import { SESSION_LOST } from "../workload/clients/session.js";
import { downloadFindings, fileFindings, groupByService, mailFindings, sessionFindings, truthOf, txFindings } from "./services.js";
import type { Anomaly, Check } from "./types.js";

export const CLASSES = ["transparent", "survived with retry", "session lost", "data lost", "failed"] as const;
export type SurvivalClass = (typeof CLASSES)[number];

interface Claim {
  /** What the paper says, in its words. */
  paper: string;
  /** The classes that agree with it. */
  agrees: SurvivalClass[];
}

/** The paper's section 4, by what a service's operations are called. */
const CLAIMS: Record<string, Claim> = {
  web: { paper: "connectionless: reconnection after a failover is effortless", agrees: ["transparent", "survived with retry"] },
  transactions: { paper: "interrupted transactions are recovered as in transaction systems", agrees: ["transparent", "survived with retry"] },
  mail: { paper: "broken SMTP connections restart without the user noticing", agrees: ["transparent", "survived with retry"] },
  downloads: { paper: "customers want an interruption-free download, billed once", agrees: ["transparent", "survived with retry"] },
  "files write-through": { paper: "connectionless, insensitive to interruptions (write-through cache)", agrees: ["transparent", "survived with retry"] },
  "files write-back": { paper: "with caching for speed, cached data will be lost", agrees: ["data lost"] },
  session: { paper: "connection-oriented: the user must reinitiate the session", agrees: ["session lost"] },
};

const FINAL = new Set(["truth", "read-all"]);

function kindOf(ops: PairedOp[]): string {
  const f = ops[0]?.f ?? "";
  if (f === "order") return "transactions";
  if (f === "mail") return "mail";
  if (f === "download") return "downloads";
  if (f === "session") return "session";
  if (f === "file-write") return (ops[0]?.value as FileWriteValue).cache === "write-back" ? "files write-back" : "files write-through";
  return "web";
}

/** Acknowledged data the service lost, by its own claim's measure. */
function dataLost(kind: string, ops: PairedOp[], all: PairedOp[], service: string): number | undefined {
  switch (kind) {
    case "transactions": {
      const tx = truthOf<TxState>(all, service);
      if (!tx) return undefined;
      const f = txFindings(ops, tx);
      return f.lost + f.orphans + f.overcharged + (f.conservationError === 0 ? 0 : 1);
    }
    case "mail": {
      const t = truthOf<{ queue: string[]; mailboxes: Record<string, string[]> }>(all, service);
      if (!t) return undefined;
      const f = mailFindings(ops, t);
      return f.lost + f.duplicated;
    }
    case "downloads": {
      const t = truthOf<{ bills: { download: string }[] }>(all, service);
      if (!t) return undefined;
      const f = downloadFindings(ops, t.bills);
      return f.corrupt + f.doubleBilled + f.unbilled + f.billedIncomplete;
    }
    case "files write-through":
    case "files write-back": {
      const t = truthOf<{ files: Record<string, string> }>(all, service);
      return t ? fileFindings(ops, t.files).lost.length : undefined;
    }
    default:
      return 0;
  }
}

export interface ScoreRow {
  service: string;
  kind: string;
  measured: SurvivalClass;
  agrees: boolean;
  paper: string;
  /** From the fault to the first success of an operation issued after it, ms. */
  recoveryMs: number | null;
  /** Operations issued inside the fault window that succeeded, %. */
  availability: number | null;
  retried: number;
  failed: number;
  lost: number;
}

export function scoreRows(history: Parameters<Check["run"]>[0]): ScoreRow[] {
  const all = pairOps(history);
  const window = faultWindows(history)[0];
  const groups = groupByService(all, (o) => !FINAL.has(o.f));
  return [...groups].map(([service, ops]) => {
    const kind = kindOf(ops);
    const claim = CLAIMS[kind] ?? { paper: "?", agrees: [] };
    const sessionLost = kind === "session" ? sessionFindings(ops).lost : 0;
    const lost = dataLost(kind, ops, all, service) ?? 0;
    // A session's commands that failed with it are its loss, counted above.
    const failed = ops.filter((o) => o.type !== "ok" && !(kind === "session" && o.error?.startsWith(SESSION_LOST))).length;
    const retried = ops.filter((o) => o.type === "ok" && (o.attempts ?? 1) > 1).length;
    const measured: SurvivalClass = sessionLost > 0 ? "session lost" : lost > 0 ? "data lost" : failed > 0 ? "failed" : retried > 0 ? "survived with retry" : "transparent";
    let recoveryMs: number | null = null;
    let availability: number | null = null;
    if (window) {
      const after = ops.filter((o) => o.type === "ok" && o.invokedAt >= window.start).map((o) => o.completedAt);
      recoveryMs = after.length ? Math.round((Math.min(...after) - window.start) / 1000) : null;
      const inWindow = ops.filter((o) => o.invokedAt >= window.start && o.invokedAt <= window.end);
      availability = inWindow.length ? Math.round((inWindow.filter((o) => o.type === "ok").length / inWindow.length) * 1000) / 10 : null;
    }
    return { service, kind, measured, agrees: claim.agrees.includes(measured), paper: claim.paper, recoveryMs, availability, retried, failed, lost: kind === "session" ? sessionLost : lost };
  });
}

export function scoreTable(rows: ScoreRow[]): string[][] {
  return [
    ["service", "measured", "as the paper says?", "the paper", "recovery ms", "ok in fault %", "retried", "failed", "lost"],
    ...rows.map((r) => [r.service, r.measured, r.agrees ? "yes" : "NO", r.paper, String(r.recoveryMs ?? "-"), String(r.availability ?? "-"), String(r.retried), String(r.failed), String(r.lost)]),
  ];
}

export const scorecard: Check = {
  name: "scorecard",
  units: { services: "count", asPaper: "count", transparent: "count", survivedWithRetry: "count", sessionLost: "count", dataLost: "count", failed: "count" },
  run(history) {
    const rows = scoreRows(history);
    const count = (c: SurvivalClass) => rows.filter((r) => r.measured === c).length;
    const anomalies: Anomaly[] = rows.filter((r) => !r.agrees).map((r) => ({ message: `${r.service}: measured '${r.measured}', but the paper says ${r.paper}` }));
    return {
      valid: anomalies.length === 0 && rows.length > 0,
      figures: {
        services: rows.length,
        asPaper: rows.filter((r) => r.agrees).length,
        transparent: count("transparent"),
        survivedWithRetry: count("survived with retry"),
        sessionLost: count("session lost"),
        dataLost: count("data lost"),
        failed: count("failed"),
      },
      anomalies,
      table: scoreTable(rows),
    };
  },
};
