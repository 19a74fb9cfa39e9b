// A shop's client of the transactions service: each order carries its own idempotency key
// and is sent again, with the same key, until it has an answer, so a failover costs a
// delay and never a lost or doubled order.
import { Agent } from "node:http";
import { attemptOf, httpCall } from "../http-call.js";
import { retryUntil } from "../retry.js";
import type { Client, Operation, Outcome } from "../types.js";

export interface OrderValue {
  key: string;
  customer: string;
  item: string;
  amount: number;
}

/** The i-th order: a handful of customers, small amounts, so some run out of money in long runs. */
export function orderFor(i: number, customers: number, run: string): Operation {
  return { f: "order", value: { key: `${run}-o${i}`, customer: `c${i % customers}`, item: `item-${i % 7}`, amount: 1 + (i % 9) } satisfies OrderValue };
}

export class TransactionsClient implements Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });

  constructor(private readonly spec: { baseUrl: string; timeoutMs: number; deadlineMs: number }) {}

  invoke(op: Operation, signal: AbortSignal): Promise<Outcome> {
    const o = op.value as OrderValue;
    return retryUntil(
      async () => {
        const r = await httpCall(`${this.spec.baseUrl}/orders`, {
          method: "POST",
          headers: { "idempotency-key": o.key, "content-type": "application/json" },
          body: JSON.stringify({ customer: o.customer, item: o.item, amount: o.amount }),
          timeoutMs: this.spec.timeoutMs,
          agent: this.agent,
        });
        return attemptOf(r, (a) => ({ type: "ok", value: { key: o.key, status: (JSON.parse(a.body) as { status: string }).status }, ...(a.node ? { node: a.node } : {}) }));
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
