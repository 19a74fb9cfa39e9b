// The claims of the paper's services, checked against the history: each compares what
// clients were told (acknowledgements) with the service's truth at the end (the final
// "truth" read of its pair's state, ../scenario/workloads.ts).
import { pairOps } from "../history/history.js";
import type { PairedOp } from "../history/types.js";
import { OPENING_BALANCE, SHOP, type TxState } from "../../runtime/services/state/transactions.js";
import type { OrderValue } from "../workload/clients/transactions.js";
import type { MailValue } from "../workload/clients/mail.js";
import type { DownloadResult } from "../workload/clients/downloads.js";
import type { FileWriteValue } from "../workload/clients/files.js";
import { SESSION_LOST } from "../workload/clients/session.js";
import type { Anomaly, Check, Verdict } from "./types.js";

/** The operations named `f`, grouped by the service they went to ("" when untagged). */
export function byService(ops: PairedOp[], f: string): Map<string, PairedOp[]> {
  return groupByService(ops, (o) => o.f === f);
}

/** The operations `keep` accepts, grouped by the service they went to ("" when untagged). */
export function groupByService(ops: PairedOp[], keep: (o: PairedOp) => boolean): Map<string, PairedOp[]> {
  const out = new Map<string, PairedOp[]>();
  for (const o of ops) {
    if (!keep(o)) continue;
    const k = o.service ?? "";
    const group = out.get(k);
    if (group) group.push(o);
    else out.set(k, [o]);
  }
  return out;
}

/** The last successful final read of a service's truth ("" matches any service). */
export function truthOf<T>(ops: PairedOp[], service: string): T | undefined {
  const reads = ops.filter((o) => o.f === "truth" && o.type === "ok" && (service === "" || o.service === service));
  return reads[reads.length - 1]?.result as T | undefined;
}

function noTruth(figures: string[], what: string): Verdict {
  return { valid: false, figures: Object.fromEntries(figures.map((f) => [f, null])), anomalies: [{ message: `no final read of ${what}: cannot tell what survived` }] };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// ── transactions ───────────────────────────────────────────────────────────────
export interface TxFindings {
  acknowledged: number;
  lost: number;
  orphans: number;
  conservationError: number;
  overcharged: number;
  anomalies: Anomaly[];
}

export function txFindings(orders: PairedOp[], tx: TxState): TxFindings {
  const anomalies: Anomaly[] = [];
  const acked = orders.filter((o) => o.type === "ok");
  let lost = 0;
  for (const o of acked) {
    const key = (o.value as OrderValue).key;
    const status = (o.result as { status?: string } | undefined)?.status;
    const held = tx.orders[key] ? "paid" : tx.declined[key] !== undefined ? "declined" : "unknown";
    if (held !== status) {
      lost++;
      anomalies.push({ message: `order ${key} was answered '${status ?? "?"}' but the ledger says '${held}'`, at: o.completedAt });
    }
  }
  const keys = new Set([...Object.keys(tx.orders), ...Object.keys(tx.payments)]);
  let orphans = 0;
  for (const k of keys) {
    if (!tx.orders[k] || !tx.payments[k]) {
      orphans++;
      anomalies.push({ message: tx.orders[k] ? `order ${k} has no payment` : `payment ${k} has no order` });
    }
  }
  const customers = Object.keys(tx.accounts).filter((a) => a !== SHOP);
  const conservationError = sum(Object.values(tx.accounts)) - OPENING_BALANCE * customers.length;
  if (conservationError !== 0) anomalies.push({ message: `money is not conserved: the accounts hold ${conservationError} more than was ever put in` });
  let overcharged = 0;
  for (const c of customers) {
    // What left the account against what the customer ordered: a charge with no order, or
    // one taken twice, shows as the difference.
    const ordered = sum(Object.values(tx.orders).filter((o) => o.customer === c).map((o) => o.amount));
    const charged = OPENING_BALANCE - (tx.accounts[c] ?? OPENING_BALANCE);
    if (charged !== ordered) {
      overcharged++;
      anomalies.push({ message: `${c} was charged ${charged} for orders worth ${ordered}` });
    }
  }
  return { acknowledged: acked.length, lost, orphans, conservationError, overcharged, anomalies };
}

export const transactions: Check = {
  name: "transactions",
  units: { acknowledged: "count", unknown: "count", lost: "count", orphans: "count", conservationError: "count", overcharged: "count", retried: "count" },
  run(history) {
    const ops = pairOps(history);
    const anomalies: Anomaly[] = [];
    const figures = { acknowledged: 0, unknown: 0, lost: 0, orphans: 0, conservationError: 0, overcharged: 0, retried: 0 };
    for (const [service, orders] of byService(ops, "order")) {
      const tx = truthOf<TxState>(ops, service);
      if (!tx) return noTruth(Object.keys(figures), "the ledger");
      const f = txFindings(orders, tx);
      figures.acknowledged += f.acknowledged;
      figures.unknown += orders.filter((o) => o.type === "info").length;
      figures.lost += f.lost;
      figures.orphans += f.orphans;
      figures.conservationError += Math.abs(f.conservationError);
      figures.overcharged += f.overcharged;
      figures.retried += orders.filter((o) => (o.attempts ?? 1) > 1).length;
      anomalies.push(...f.anomalies);
    }
    return { valid: figures.lost + figures.orphans + figures.conservationError + figures.overcharged === 0, figures, anomalies: anomalies.slice(0, 20) };
  },
};

// ── mail ───────────────────────────────────────────────────────────────────────
export function mailFindings(mails: PairedOp[], truth: { queue: string[]; mailboxes: Record<string, string[]> }): { acknowledged: number; lost: number; duplicated: number; stillQueued: number; anomalies: Anomaly[] } {
  const anomalies: Anomaly[] = [];
  const acked = mails.filter((o) => o.type === "ok");
  let lost = 0;
  let duplicated = 0;
  let stillQueued = 0;
  for (const o of acked) {
    const m = o.value as MailValue;
    const n = (truth.mailboxes[m.to] ?? []).filter((id) => id === m.id).length;
    if (n > 1) {
      duplicated++;
      anomalies.push({ message: `${m.id} was delivered to ${m.to} ${n} times` });
    } else if (n === 0) {
      if (truth.queue.includes(m.id)) stillQueued++;
      else lost++;
      anomalies.push({ message: `${m.id} was acknowledged (250) but ${truth.queue.includes(m.id) ? "is still queued" : "is nowhere"}`, at: o.completedAt });
    }
  }
  return { acknowledged: acked.length, lost, duplicated, stillQueued, anomalies };
}

export const mail: Check = {
  name: "mail",
  units: { acknowledged: "count", unknown: "count", delivered: "count", lost: "count", duplicated: "count", stillQueued: "count", retried: "count" },
  run(history) {
    const ops = pairOps(history);
    const anomalies: Anomaly[] = [];
    const figures = { acknowledged: 0, unknown: 0, delivered: 0, lost: 0, duplicated: 0, stillQueued: 0, retried: 0 };
    for (const [service, mails] of byService(ops, "mail")) {
      const truth = truthOf<{ queue: string[]; mailboxes: Record<string, string[]> }>(ops, service);
      if (!truth) return noTruth(Object.keys(figures), "the mailboxes");
      const f = mailFindings(mails, truth);
      figures.acknowledged += f.acknowledged;
      figures.unknown += mails.filter((o) => o.type === "info").length;
      figures.delivered += sum(Object.values(truth.mailboxes).map((b) => b.length));
      figures.lost += f.lost;
      figures.duplicated += f.duplicated;
      figures.stillQueued += f.stillQueued;
      figures.retried += mails.filter((o) => (o.attempts ?? 1) > 1).length;
      anomalies.push(...f.anomalies);
    }
    return { valid: figures.lost + figures.duplicated + figures.stillQueued === 0, figures, anomalies: anomalies.slice(0, 20) };
  },
};

// ── downloads ──────────────────────────────────────────────────────────────────
export function downloadFindings(downloads: PairedOp[], bills: { download: string }[]) {
  const anomalies: Anomaly[] = [];
  const results = downloads.filter((o) => o.type === "ok").map((o) => o.result as DownloadResult);
  const billCount = new Map<string, number>();
  for (const b of bills) billCount.set(b.download, (billCount.get(b.download) ?? 0) + 1);
  const completed = results.filter((r) => !r.abandoned && r.exact);
  const corrupt = results.filter((r) => !r.abandoned && !r.exact);
  for (const r of corrupt) anomalies.push({ message: `${r.download}: ${r.bytes} bytes of ${r.file} are not the file` });
  const doubleBilled = [...billCount].filter(([, n]) => n > 1);
  for (const [d, n] of doubleBilled) anomalies.push({ message: `${d} was billed ${n} times` });
  const unbilled = completed.filter((r) => r.billed && !billCount.has(r.download));
  for (const r of unbilled) anomalies.push({ message: `${r.download} completed and its receipt was accepted, but it has no bill` });
  // Only downloads whose outcome is known can be judged: a bill for one that never
  // completed (abandoned, or failed for good) is a charge for nothing.
  const notCompleted = new Set([...results.filter((r) => r.abandoned).map((r) => r.download), ...downloads.filter((o) => o.type === "fail").map((o) => (o.value as { download: string }).download)]);
  const billedIncomplete = bills.filter((b) => notCompleted.has(b.download));
  for (const b of billedIncomplete) anomalies.push({ message: `${b.download} never completed but was billed` });
  return {
    completed: completed.length,
    resumed: completed.filter((r) => r.resumes > 0).length,
    abandoned: results.filter((r) => r.abandoned).length,
    corrupt: corrupt.length,
    billed: bills.length,
    doubleBilled: doubleBilled.length,
    unbilled: unbilled.length,
    billedIncomplete: billedIncomplete.length,
    anomalies,
  };
}

export const downloads: Check = {
  name: "downloads",
  units: { completed: "count", resumed: "count", abandoned: "count", corrupt: "count", billed: "count", doubleBilled: "count", unbilled: "count", billedIncomplete: "count", unknown: "count" },
  run(history) {
    const ops = pairOps(history);
    const anomalies: Anomaly[] = [];
    const figures = { completed: 0, resumed: 0, abandoned: 0, corrupt: 0, billed: 0, doubleBilled: 0, unbilled: 0, billedIncomplete: 0, unknown: 0 };
    for (const [service, dls] of byService(ops, "download")) {
      const truth = truthOf<{ bills: { download: string }[] }>(ops, service);
      if (!truth) return noTruth(Object.keys(figures), "the bills");
      const { anomalies: a, ...f } = downloadFindings(dls, truth.bills);
      for (const k of Object.keys(f) as (keyof typeof f)[]) figures[k] += f[k];
      figures.unknown += dls.filter((o) => o.type === "info").length;
      anomalies.push(...a);
    }
    return { valid: figures.corrupt + figures.doubleBilled + figures.unbilled + figures.billedIncomplete === 0, figures, anomalies: anomalies.slice(0, 20) };
  },
};

// ── files ──────────────────────────────────────────────────────────────────────
export function fileFindings(writes: PairedOp[], files: Record<string, string>): { acknowledged: number; lost: PairedOp[] } {
  const acked = writes.filter((o) => o.type === "ok");
  return { acknowledged: acked.length, lost: acked.filter((o) => files[(o.value as FileWriteValue).path] !== (o.value as FileWriteValue).data) };
}

export const files: Check = {
  name: "files",
  units: { acknowledged: "count", unknown: "count", lost: "count", lostWriteBack: "count", retried: "count" },
  run(history) {
    const ops = pairOps(history);
    const anomalies: Anomaly[] = [];
    const figures = { acknowledged: 0, unknown: 0, lost: 0, lostWriteBack: 0, retried: 0 };
    for (const [service, writes] of byService(ops, "file-write")) {
      const truth = truthOf<{ files: Record<string, string> }>(ops, service);
      if (!truth) return noTruth(Object.keys(figures), "the files");
      const f = fileFindings(writes, truth.files);
      const writeBack = (writes[0]?.value as FileWriteValue | undefined)?.cache === "write-back";
      figures.acknowledged += f.acknowledged;
      figures.unknown += writes.filter((o) => o.type === "info").length;
      figures.retried += writes.filter((o) => (o.attempts ?? 1) > 1).length;
      if (writeBack) figures.lostWriteBack += f.lost.length;
      else figures.lost += f.lost.length;
      for (const o of f.lost.slice(0, 10)) {
        anomalies.push({ message: `${writeBack ? "write-back" : "write-through"}: acknowledged write of ${(o.value as FileWriteValue).path} is missing`, at: o.completedAt });
      }
    }
    // The claim is write-through's: a write-back cache losing writes is what the paper
    // predicts, a figure for thresholds rather than a fault of the check.
    return { valid: figures.lost === 0, figures, anomalies: anomalies.slice(0, 20) };
  },
};

// ── sessions ───────────────────────────────────────────────────────────────────
export function sessionFindings(ops: PairedOp[]): { sessions: number; lost: number; ok: number; continuityErrors: number; anomalies: Anomaly[] } {
  const anomalies: Anomaly[] = [];
  const last = new Map<string, number>();
  let continuityErrors = 0;
  const sessions = new Set<string>();
  const lost = new Set<string>();
  for (const o of [...ops].sort((a, b) => a.completedAt - b.completedAt)) {
    const v = (o.type === "ok" ? o.result : o.result ?? o.value) as { user: string; session?: string; n?: number } | undefined;
    if (!v?.session) continue;
    const id = `${v.user}/${v.session}`;
    if (o.type === "ok" && v.n !== undefined) {
      sessions.add(id);
      const prev = last.get(id) ?? 0;
      if (v.n !== prev + 1) {
        continuityErrors++;
        anomalies.push({ message: `session ${id} counted ${v.n} after ${prev}`, at: o.completedAt });
      }
      last.set(id, v.n);
    } else if (o.error?.startsWith(SESSION_LOST)) lost.add(id);
  }
  return { sessions: sessions.size, lost: lost.size, ok: ops.filter((o) => o.type === "ok").length, continuityErrors, anomalies };
}

export const sessions: Check = {
  name: "sessions",
  units: { sessions: "count", lost: "count", commandsOk: "count", commandsFailed: "count", continuityErrors: "count" },
  run(history) {
    const ops = pairOps(history).filter((o) => o.f === "session");
    const f = sessionFindings(ops);
    return {
      valid: f.continuityErrors === 0,
      figures: { sessions: f.sessions, lost: f.lost, commandsOk: f.ok, commandsFailed: ops.length - f.ok, continuityErrors: f.continuityErrors },
      anomalies: f.anomalies.slice(0, 20),
    };
  },
};

