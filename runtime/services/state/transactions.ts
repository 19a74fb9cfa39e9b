// The paper's money example as a state machine: a customer orders, and pays for it, in one
// transaction. Both parts are one journal record, applied at once, so no crash can leave a
// payment without its order or an order without its payment. The idempotency key names
// the transaction: applying it again (a client retrying after a lost acknowledgement)
// changes nothing and answers what the first time answered.

/** What every customer account holds when first used: balances are conserved against it. */
export const OPENING_BALANCE = 1000;
/** The account every payment goes to. */
export const SHOP = "shop";

export interface TxOp {
  f: "order";
  key: string;
  customer: string;
  item: string;
  amount: number;
}

export interface Payment {
  from: string;
  to: string;
  amount: number;
}

export interface TxState {
  accounts: Record<string, number>;
  orders: Record<string, { customer: string; item: string; amount: number }>;
  payments: Record<string, Payment>;
  /** Keys refused for want of funds: an answer too, so a retry gets the same one. */
  declined: Record<string, string>;
}

export function emptyTx(): TxState {
  return { accounts: {}, orders: {}, payments: {}, declined: {} };
}

export type TxOutcome = { status: "paid"; order: TxState["orders"][string]; payment: Payment } | { status: "declined"; reason: string } | { status: "unknown" };

/** The answer for an idempotency key, as the state holds it now. */
export function outcomeOf(s: TxState, key: string): TxOutcome {
  const order = s.orders[key];
  const payment = s.payments[key];
  if (order && payment) return { status: "paid", order, payment };
  const reason = s.declined[key];
  if (reason !== undefined) return { status: "declined", reason };
  return { status: "unknown" };
}

export function applyTx(s: TxState, op: TxOp): void {
  if (s.orders[op.key] || s.declined[op.key] !== undefined) return; // done before: a retry
  const balance = s.accounts[op.customer] ?? OPENING_BALANCE;
  if (balance < op.amount) {
    s.accounts[op.customer] = balance;
    s.declined[op.key] = `insufficient funds: ${op.customer} has ${balance}, the order is ${op.amount}`;
    return;
  }
  s.accounts[op.customer] = balance - op.amount;
  s.accounts[SHOP] = (s.accounts[SHOP] ?? 0) + op.amount;
  s.orders[op.key] = { customer: op.customer, item: op.item, amount: op.amount };
  s.payments[op.key] = { from: op.customer, to: SHOP, amount: op.amount };
}
