// Transactions: order + payment, the paper's money example, over HTTP.
//   POST /orders  {customer, item, amount}, header Idempotency-Key: K
//        -> 200 {key, status: "paid", order, payment} | 200 {key, status: "declined", reason}
//   GET  /orders/K       the outcome for a key (status "unknown" if never done)
//   GET  /accounts       every balance
// The key names the transaction: a client that lost its answer (the primary died after the
// commit, before the reply) sends the same key again and gets the first answer, not a
// second charge. Both parts are one journal record (./state/transactions.ts).
import { readJson, sendJson as send } from "../http.js";
import { servePairHttp } from "./pair-http.js";
import { emptyTx, outcomeOf } from "./state/transactions.js";
import type { RunningService, ServiceDeps } from "./types.js";

const KEY = /^[A-Za-z0-9._:-]{1,100}$/;

export function serveTransactions({ pair, cpu, service }: ServiceDeps): RunningService {
  const tx = () => pair.state.tx ?? emptyTx();
  const server = servePairHttp({
    pair,
    cpu,
    port: service.port,
    route: async ({ req, res, url, base, gone }) => {
      if (url.pathname === "/orders" && req.method === "POST") {
        const key = req.headers["idempotency-key"];
        if (typeof key !== "string" || !KEY.test(key)) return send(res, 400, { error: "Idempotency-Key header: 1-100 letters, digits or . _ : - is required" });
        const { customer, item, amount } = (await readJson(req)) as { customer?: unknown; item?: unknown; amount?: unknown };
        if (typeof customer !== "string" || !customer || customer === "shop") return send(res, 400, { error: "customer: a name other than 'shop' is required" });
        if (typeof item !== "string" || !item) return send(res, 400, { error: "item: required" });
        if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 1) return send(res, 400, { error: "amount: a whole number of at least 1 is required" });
        // A retry of a key already done is answered from the state, with no new commit.
        const done = outcomeOf(tx(), key);
        if (done.status === "unknown") await pair.write({ f: "order", key, customer, item, amount }, gone);
        return send(res, 200, { ...base, key, ...outcomeOf(tx(), key), replayed: done.status !== "unknown" });
      }
      if (url.pathname.startsWith("/orders/")) return send(res, 200, { ...base, key: url.pathname.slice(8), ...outcomeOf(tx(), url.pathname.slice(8)) });
      if (url.pathname === "/accounts") return send(res, 200, { ...base, accounts: tx().accounts });
      return send(res, 404, { error: `no route ${url.pathname}` });
    },
  });
  return { truth: () => tx(), close: () => server.close() };
}
