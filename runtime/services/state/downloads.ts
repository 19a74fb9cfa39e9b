// Per-download billing: a download is billed when its client presents the file's checksum
// (proof it holds every byte), once per download id however often it asks. A download
// that never completes is never billed.

export interface BillOp {
  f: "bill";
  download: string;
  file: string;
  bytes: number;
}

export interface Bill {
  download: string;
  file: string;
  bytes: number;
}

export interface BillState {
  /** Every bill, in order: a download billed twice would show here twice. */
  bills: Bill[];
}

export function emptyBills(): BillState {
  return { bills: [] };
}

export function applyBill(s: BillState, op: BillOp): void {
  if (s.bills.some((b) => b.download === op.download)) return; // asked again: billed once
  s.bills.push({ download: op.download, file: op.file, bytes: op.bytes });
}
