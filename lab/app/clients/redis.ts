// The built-in Redis client (the npm `redis` package, node-redis), for systems such as
// Redis with Sentinel. Two workloads, as Jepsen's:
//   append:   RPUSH of a value unique to the operation onto one list; the final read is
//             LRANGE of the whole list on the one primary, for lostWrites and duplicates;
//   register: SET and GET of one key, for the linearizable check.
// It writes to the server whose ROLE says master and stays with it until an operation
// fails (./primary.ts). What an error means is Redis's own: READONLY, NOREPLICAS and a
// refused connection certainly did nothing (fail); a timeout or a connection cut mid-way
// may have (info).
import { createClient } from "redis";
import { errorMessage } from "../../errors.js";
import type { Outcome } from "../../workload/types.js";
import { Connections, PrimaryFollower, type Dialect, type Endpoint } from "./primary.js";
import { invokeWith, workloadOp, type SystemClient } from "./system-client.js";

// No reconnects and no offline queue: a dead connection fails its operation at once, and
// the follower decides where the next one goes.
const open = (port: number, timeoutMs: number) => createClient({ socket: { host: "127.0.0.1", port, connectTimeout: timeoutMs, reconnectStrategy: false }, disableOfflineQueue: true });
type Conn = ReturnType<typeof open>;

export const redisDialect: Dialect<Conn> = {
  async connect(port, timeoutMs) {
    const c = open(port, timeoutMs);
    c.on("error", () => undefined);
    await c.connect();
    return c;
  },
  async isPrimary(c, timeoutMs) {
    const role = await c.sendCommand<unknown[]>(["ROLE"], { timeout: timeoutMs });
    return role[0] === "master";
  },
  destroy(c) {
    try {
      c.destroy();
    } catch {
      // already closed
    }
  },
};

/** A live server that refused the command before running it: a replica, too few replicas, still loading. */
const REFUSED = /^(READONLY|NOREPLICAS|LOADING|MASTERDOWN|MISCONF|OOM)\b/;

/** What a Redis error says about whether the command ran. */
export function redisOutcome(err: unknown): Outcome {
  const message = errorMessage(err);
  // Refused before it ran, or no connection at all.
  if (REFUSED.test(message) || /ECONNREFUSED|The client is closed|no server says/.test(message)) return { type: "fail", error: message };
  return { type: "info", error: message };
}

export interface RedisClientOptions {
  endpoints: () => Promise<Endpoint[]>;
  workload: "append" | "register";
  key: string;
  timeoutMs: number;
}

export function redisClient(o: RedisClientOptions): SystemClient {
  const follower = new PrimaryFollower(new Connections(redisDialect, o.timeoutMs), o.endpoints);
  const run = async <T>(args: string[], signal: AbortSignal): Promise<{ reply: T; endpoint: Endpoint }> => {
    const { endpoint, conn } = await follower.primary();
    try {
      return { reply: await conn.sendCommand<T>(args, { timeout: o.timeoutMs, abortSignal: signal }), endpoint };
    } catch (err) {
      // A refusal by a live server (READONLY after a demotion) keeps the connection; anything else drops it.
      follower.lost(endpoint, !REFUSED.test(errorMessage(err)));
      throw err;
    }
  };
  return {
    invoke: invokeWith(
      {
        add: async (value, signal) => (await run<number>(["RPUSH", o.key, value], signal)).endpoint,
        write: async (value, signal) => (await run<string>(["SET", o.key, value], signal)).endpoint,
        read: async (signal) => {
          const { reply, endpoint } = await run<string | null>(["GET", o.key], signal);
          return { endpoint, value: reply };
        },
      },
      redisOutcome,
    ),
    op: workloadOp(o.workload),
    ...(o.workload === "append"
      ? {
          async finalRead() {
            const { conn } = await follower.only();
            return conn.sendCommand<string[]>(["LRANGE", o.key, "0", "-1"], { timeout: Math.max(o.timeoutMs, 5000) });
          },
        }
      : {}),
    close() {
      follower.conns.close();
      return Promise.resolve();
    },
  };
}
