// The state a pair protects, and the operations that change it. Applying an operation is
// pure and deterministic, so the primary, its backup and a replay of the journal all reach
// the same state. Every pair starts with the small key-value store and append-only list
// (whose final read is how checks find lost or duplicated writes); a service's own section
// (transactions, mail, bills, files) appears with its first operation.
import { applyBill, emptyBills, type BillOp, type BillState } from "../services/state/downloads.js";
import { applyFile, emptyFiles, type FileOp, type FileState } from "../services/state/files.js";
import { applyMail, emptyMail, type MailOp, type MailState } from "../services/state/mail.js";
import { applyTx, emptyTx, type TxOp, type TxState } from "../services/state/transactions.js";

export type PairOp = { f: "put"; key: string; value: string } | { f: "add"; value: string } | TxOp | MailOp | BillOp | FileOp;

export interface PairState {
  seq: number;
  kv: Record<string, string>;
  items: string[];
  tx?: TxState;
  mail?: MailState;
  bills?: BillState;
  files?: FileState;
}

export function emptyState(): PairState {
  return { seq: 0, kv: {}, items: [] };
}

export function apply(s: PairState, op: PairOp): void {
  s.seq++;
  switch (op.f) {
    case "put":
      s.kv[op.key] = op.value;
      return;
    case "add":
      s.items.push(op.value);
      return;
    case "order":
      return applyTx((s.tx ??= emptyTx()), op);
    case "mail.accept":
    case "mail.deliver":
      return applyMail((s.mail ??= emptyMail()), op);
    case "bill":
      return applyBill((s.bills ??= emptyBills()), op);
    case "file.put":
      return applyFile((s.files ??= emptyFiles()), op);
  }
}
