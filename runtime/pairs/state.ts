// The state a pair protects, and the operations that change it. Applying an operation is
// pure and deterministic, so the primary, its backup and a replay of the journal all reach
// the same state. Every pair starts with the small key-value store and append-only list
// (whose final read is how checks find lost or duplicated writes); a service's own section
// (transactions, mail, bills, files) appears with its first operation.
import { applyBill, emptyBills, type BillOp, type BillState } from "../services/state/downloads.js";
import { applyFile, emptyFiles, type FileOp, type FileState } from "../services/state/files.js";
import { applyMail, emptyMail, type MailOp, type MailState } from "../services/state/mail.js";
import { applyTx, emptyTx, type TxOp, type TxState } from "../services/state/transactions.js";
import { applyTxn, emptyLists, type ListMop, type ListState, type ListTxnOp } from "../services/state/lists.js";

export type PairOp = { f: "put"; key: string; value: string } | { f: "add"; value: string } | TxOp | MailOp | BillOp | FileOp | ListTxnOp;

export interface PairState {
  seq: number;
  kv: Record<string, string>;
  items: string[];
  tx?: TxState;
  mail?: MailState;
  bills?: BillState;
  files?: FileState;
  lists?: ListState;
}

export function emptyState(): PairState {
  return { seq: 0, kv: {}, items: [] };
}

/** What applying an operation answers, beyond its sequence number: a transaction's reads. */
export type ApplyResult = ListMop[] | undefined;

export function apply(s: PairState, op: PairOp): ApplyResult {
  s.seq++;
  switch (op.f) {
    case "put":
      s.kv[op.key] = op.value;
      return undefined;
    case "add":
      s.items.push(op.value);
      return undefined;
    case "order":
      applyTx((s.tx ??= emptyTx()), op);
      return undefined;
    case "mail.accept":
    case "mail.deliver":
      applyMail((s.mail ??= emptyMail()), op);
      return undefined;
    case "bill":
      applyBill((s.bills ??= emptyBills()), op);
      return undefined;
    case "file.put":
      applyFile((s.files ??= emptyFiles()), op);
      return undefined;
    case "txn":
      return applyTxn((s.lists ??= emptyLists()), op);
  }
}
