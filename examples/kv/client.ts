// The worked example's client, written as a user writes one for their own system: Jepsen's
// protocol in TypeScript. Each operation writes a value under a key of its own through the
// front door, trying the next replica when one cannot have done it; finalRead says what
// the store holds at the end, which the lostWrites and duplicates checks compare with
// what was acknowledged.
import { defineClient } from "nonstop-lab";

/** Nothing was sent, or the front door says so: safe to try the other replica. */
const notDone = (err: unknown) => ["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"].includes(((err as { cause?: { code?: string } }).cause?.code ?? "") as string);

export default defineClient({
  op: (i, tag) => ({ f: "write", value: `${tag}-${i}` }),
  open(ctx) {
    return {
      async invoke(op, signal) {
        const value = String(op.value);
        const replicas = await ctx.urls("api.*", 8080);
        // Start at a different replica each time, so both carry the load.
        const start = op.index % Math.max(1, replicas.length);
        let last = "no replica publishes its port";
        for (let n = 0; n < replicas.length; n++) {
          const url = replicas[(start + n) % replicas.length];
          try {
            const r = await fetch(`${url}/kv/${encodeURIComponent(value)}`, { method: "PUT", body: value, signal: AbortSignal.any([signal, AbortSignal.timeout(ctx.timeoutMs)]) });
            await r.arrayBuffer();
            if (r.status === 204) return { type: "ok" };
            // 503: the front door could not reach the store. The key is the value's own, so
            // writing it again through the other replica can never store it twice.
            last = `HTTP ${r.status} from ${url}`;
          } catch (err) {
            // A timeout may have written it: unknown, and no second try.
            if (!notDone(err)) return { type: "info", error: String(err) };
            last = `${String(err)} (${url})`;
          }
        }
        return { type: "info", error: last };
      },
      async finalRead() {
        for (const url of await ctx.urls("api.*", 8080)) {
          const r = await fetch(`${url}/all`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          if (r?.status === 200) return ((await r.json()) as { items: string[] }).items;
        }
        throw new Error("no replica answered /all");
      },
    };
  },
});
