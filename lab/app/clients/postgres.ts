// The built-in PostgreSQL client (the npm `pg` package), for systems such as Patroni. Three
// workloads, as Jepsen's:
//   append:   an INSERT of a value unique to the operation, each its own committed
//             transaction; the final read selects every row on the one primary;
//   register: an upsert and a select of one row, for the linearizable check;
//   txn:      transactions of list appends and reads at a chosen isolation level, for the
//             listAppend check (Elle's list-append, as Jepsen runs it against PostgreSQL):
//             a key is a row, its list a comma-joined text that an append extends.
// It writes to the server where `pg_is_in_recovery()` is false and stays with it until an
// operation fails (./primary.ts). What an error means is PostgreSQL's own SQLSTATE: a
// read-only transaction (25006), a refused connection or a server not yet accepting
// connections (57P03) did nothing (fail); a commit cut off by a crash may have (info).
// A statement that outlives the timeout is given up by disconnecting (the default), or,
// with `onTimeout: "cancel"`, cancelled as JDBC's query timeout or psql's Ctrl-C cancel
// it: a cancelled statement did nothing (57014), except a commit waiting for a
// synchronous standby, which PostgreSQL then commits locally and answers as done.
import pg from "pg";
import { errorMessage } from "../../errors.js";
import type { Outcome } from "../../workload/types.js";
import { Connections, PrimaryFollower, type Dialect, type Endpoint } from "./primary.js";
import { within } from "../../util/within.js";
import { invokeWith, workloadOp, type SystemClient } from "./system-client.js";
import { TXN_F, type Mop as ListMop } from "../../checks/elle/history.js";
import { txnFor } from "../../workload/service-ops.js";

export interface PgLogin {
  user: string;
  password?: string | undefined;
  database: string;
}

/** `queryTimeout: false`: statements are not timed out by the driver (the caller cancels them instead). */
export function pgDialect(login: PgLogin, opts: { queryTimeout: boolean } = { queryTimeout: true }): Dialect<pg.Client> {
  return {
    async connect(port, timeoutMs) {
      const c = new pg.Client({ host: "127.0.0.1", port, user: login.user, ...(login.password !== undefined ? { password: login.password } : {}), database: login.database, connectionTimeoutMillis: timeoutMs, ...(opts.queryTimeout ? { query_timeout: timeoutMs } : {}) });
      c.on("error", () => undefined);
      await c.connect();
      return c;
    },
    async isPrimary(c) {
      const r = await serial(c, () => c.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r"));
      return r.rows[0]?.r === false;
    },
    destroy(c) {
      void c.end().catch(() => undefined);
    },
  };
}

/**
 * One statement at a time on a connection, in order: pg queues concurrent queries itself
 * but deprecates doing so, and the open loop does issue a new one while a commit stalls.
 */
const tails = new WeakMap<pg.Client, Promise<unknown>>();
function serial<T>(c: pg.Client, fn: () => Promise<T>): Promise<T> {
  const next = (tails.get(c) ?? Promise.resolve()).catch(() => undefined).then(fn);
  tails.set(c, next);
  return next;
}

const code = (err: unknown): string | undefined => {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
};

/** SQLSTATEs (and socket errors) that say the statement certainly did not commit. */
const NOT_DONE = new Set(["25006", "57014", "57P03", "53300", "08001", "08004", "28P01", "3D000", "ECONNREFUSED", "42P01"]);

export function pgOutcome(err: unknown): Outcome {
  const c = code(err);
  const message = errorMessage(err);
  if ((c && NOT_DONE.has(c)) || /no server says/.test(message)) return { type: "fail", error: c ? `${c} ${message}` : message };
  return { type: "info", error: c ? `${c} ${message}` : message };
}

export interface PgClientOptions {
  endpoints: () => Promise<Endpoint[]>;
  workload: "append" | "register" | "txn";
  isolation?: "serializable" | "repeatable read" | "read committed";
  login: PgLogin;
  table: string;
  timeoutMs: number;
  /** What becomes of a statement that outlives timeoutMs (txn only): disconnect, or cancel it. */
  onTimeout?: "disconnect" | "cancel";
}

export function pgClient(o: PgClientOptions): SystemClient {
  const follower = new PrimaryFollower(new Connections(pgDialect(o.login), o.timeoutMs), o.endpoints);
  const table = `"${o.table.replaceAll('"', "")}"`;
  const ready = new Set<number>();
  const run = async (sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; endpoint: Endpoint }> => {
    const { endpoint, conn } = await follower.primary();
    try {
      // The table is made on each primary the first time it is written to (IF NOT EXISTS: the
      // new primary usually has it by replication already).
      if (!ready.has(endpoint.port)) {
        await serial(conn, () => conn.query(o.workload === "append" ? `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, v text NOT NULL)` : `CREATE TABLE IF NOT EXISTS ${table} (k int PRIMARY KEY, v text)`));
        ready.add(endpoint.port);
      }
      const r = await serial(conn, () => conn.query(sql, params));
      return { rows: r.rows as Record<string, unknown>[], endpoint };
    } catch (err) {
      ready.delete(endpoint.port);
      follower.lost(endpoint, code(err) !== "25006");
      throw err;
    }
  };
  if (o.workload === "txn") return txnClient(follower, o, table);
  return {
    invoke: invokeWith(
      {
        add: async (value) => (await run(`INSERT INTO ${table} (v) VALUES ($1)`, [value])).endpoint,
        write: async (value) => (await run(`INSERT INTO ${table} (k, v) VALUES (1, $1) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`, [value])).endpoint,
        read: async () => {
          const { rows, endpoint } = await run(`SELECT v FROM ${table} WHERE k = 1`, []);
          return { endpoint, value: rows[0]?.v ?? null };
        },
      },
      pgOutcome,
    ),
    op: workloadOp(o.workload),
    ...(o.workload === "append"
      ? {
          async finalRead() {
            const { conn } = await follower.only();
            const r = await serial(conn, () => conn.query<{ v: string }>(`SELECT v FROM ${table} ORDER BY id`));
            return r.rows.map((row) => row.v);
          },
        }
      : {}),
    close() {
      follower.conns.close();
      return Promise.resolve();
    },
  };
}

/**
 * The txn workload: each operation one transaction at the isolation asked for, on a
 * connection of its own to the server that is primary when it begins (transactions run
 * side by side, as the isolation level is there to judge, and no statement of one can
 * land on another server or inside another's transaction). Its mops run in order and
 * it answers every read's list. A serialization failure (40001) or a deadlock (40P01)
 * rolled it back: nothing was done (fail). Cut off after BEGIN, it may have committed:
 * PostgreSQL's own error says (pgOutcome), as for the other workloads.
 */
function txnClient(follower: PrimaryFollower<pg.Client>, o: PgClientOptions, table: string): SystemClient {
  const cancelling = o.onTimeout === "cancel";
  const dialect = pgDialect(o.login, { queryTimeout: !cancelling });
  const isolation = (o.isolation ?? "serializable").toUpperCase();
  const ready = new Set<number>();
  return {
    op: (i) => ({ f: TXN_F, value: txnFor(i) }),
    async invoke(op) {
      const mops = op.value as ListMop[];
      let endpoint: Endpoint | undefined;
      let conn: pg.Client | undefined;
      let begun = false;
      try {
        endpoint = (await follower.primary()).endpoint;
        const c = (conn = await dialect.connect(endpoint.port, o.timeoutMs));
        const query: Query = cancelling ? await cancellable(c, endpoint, dialect, o.timeoutMs) : (sql, params) => c.query<Record<string, unknown>>(sql, params);
        if (!ready.has(endpoint.port)) {
          await query(`CREATE TABLE IF NOT EXISTS ${table} (k text PRIMARY KEY, v text NOT NULL)`);
          ready.add(endpoint.port);
        }
        await query(`BEGIN ISOLATION LEVEL ${isolation}`);
        begun = true;
        const out: ListMop[] = [];
        for (const m of mops) {
          if (m.f === "append") {
            await query(`INSERT INTO ${table} AS t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = t.v || ',' || EXCLUDED.v`, [m.key, String(m.value)]);
            out.push(m);
          } else {
            const r = await query(`SELECT v FROM ${table} WHERE k = $1`, [m.key]);
            const v = r.rows[0]?.v as string | undefined;
            out.push({ f: "r", key: m.key, value: v ? v.split(",").map(Number) : [] });
          }
        }
        await query("COMMIT");
        return { type: "ok", value: out, node: endpoint.target };
      } catch (err) {
        // Bounded: with statements cancelled rather than timed out, nothing else bounds it.
        if (conn) await within(conn.query("ROLLBACK"), o.timeoutMs, "ROLLBACK").catch(() => undefined);
        const c = code(err);
        if (endpoint && c !== "40001" && c !== "40P01") {
          ready.delete(endpoint.port);
          follower.lost(endpoint, c !== "25006");
        }
        if (c === "40001" || c === "40P01") return { type: "fail", error: `${c} ${errorMessage(err)}` };
        // Before BEGIN was answered, nothing was sent that could commit.
        return begun ? pgOutcome(err) : { type: "fail", error: errorMessage(err) };
      } finally {
        if (conn) dialect.destroy(conn);
      }
    },
    close() {
      follower.conns.close();
      return Promise.resolve();
    },
  };
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/**
 * Statements on `conn` that, when they outlive timeoutMs, are cancelled from a second
 * connection (pg_cancel_backend: the same signal to the backend as the protocol's cancel
 * request) and then given timeoutMs more to answer; one that still does not is in doubt.
 */
async function cancellable(conn: pg.Client, endpoint: Endpoint, dialect: Dialect<pg.Client>, timeoutMs: number): Promise<Query> {
  const pid = (await within(conn.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"), timeoutMs, "pg_backend_pid")).rows[0]?.pid;
  const cancel = async () => {
    const other = await dialect.connect(endpoint.port, timeoutMs);
    try {
      await other.query("SELECT pg_cancel_backend($1)", [pid]);
    } finally {
      dialect.destroy(other);
    }
  };
  return async (sql, params) => {
    const answer = conn.query<Record<string, unknown>>(sql, params);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
    const first = await Promise.race([answer, late]).finally(() => clearTimeout(timer));
    if (first !== "late") return first;
    // The cancel's own connection is bounded too: a server that does not answer it is in doubt all the same.
    await within(cancel(), timeoutMs, "pg_cancel_backend").catch(() => undefined);
    return within(answer, timeoutMs, `${sql.split(" ")[0] ?? "statement"} after its cancel`);
  };
}
