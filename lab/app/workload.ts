// Workloads against a user's system, recorded as histories like the machine's: an open
// loop (../workload/open-loop.ts) drives a client, every operation an invoke and an ok,
// fail or info.
//   http:   requests from templates ({key}, {value}) to a service's published port, round
//           robin over the replicas the target names, a new port looked up when one moves;
//   redis, postgres: the built-in clients of real HA software (./clients/), each with an
//           append and a register workload, writing to whichever server says it is primary;
//   module: the user's own client, Jepsen's protocol in TypeScript (docs/bring-your-own.md):
//           `open(ctx)` gives a client whose `invoke(op)` says ok, fail or info, and whose
//           optional `finalRead()` says what the system holds, for lostWrites and duplicates.
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { UsageError, errorMessage } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import type { RunningLoad } from "../scenario/case.js";
import { HttpClient } from "../workload/http-client.js";
import { OpenLoop } from "../workload/open-loop.js";
import type { Client, Operation, Outcome } from "../workload/types.js";
import type { Endpoint } from "./clients/primary.js";
import { pgClient } from "./clients/postgres.js";
import { redisClient } from "./clients/redis.js";
import { select, type AppSnapshot } from "./system.js";

const base = { rate: z.number().positive().max(5_000), timeoutMs: z.number().int().positive().max(60_000) };

export const AppWorkload = z.discriminatedUnion("client", [
  z
    .object({
      client: z.literal("http"),
      /** The service (api), a replica (api.2) or every replica (api.*), reached on its published port. */
      target: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      method: z.enum(["GET", "PUT", "POST", "DELETE"]).default("GET"),
      /** e.g. /kv/{key}; {key} cycles over `keys` keys, {value} is unique to the operation. */
      path: z.string().startsWith("/"),
      body: z.string().optional(),
      keys: z.number().int().min(1).max(100_000).default(1),
      retry: z.object({ retries: z.number().int().min(0).max(10), backoffMs: z.number().min(0) }).strict().optional(),
      ...base,
    })
    .strict(),
  z
    .object({
      client: z.literal("redis"),
      /** The servers, all of them (redis1,redis2,redis3 or redis.*): the client writes to the one whose ROLE says master. */
      targets: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(6379),
      workload: z.enum(["append", "register"]).default("append"),
      key: z.string().min(1).default("nonstop"),
      ...base,
    })
    .strict(),
  z
    .object({
      client: z.literal("postgres"),
      /** The servers, all of them: the client writes to the one where pg_is_in_recovery() is false. */
      targets: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(5432),
      /** txn: transactions of list appends and reads, for the listAppend check, at `isolation`. */
      workload: z.enum(["append", "register", "txn"]).default("append"),
      isolation: z.enum(["serializable", "repeatable read", "read committed"]).default("serializable"),
      user: z.string().min(1).default("postgres"),
      password: z.string().optional(),
      database: z.string().min(1).default("postgres"),
      table: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, "a lowercase SQL name").default("nonstop"),
      /**
       * A statement that outlives timeoutMs: disconnect (the server's backend is left to
       * finish alone), or cancel it as JDBC's query timeout and psql's Ctrl-C do (txn only).
       */
      onTimeout: z.enum(["disconnect", "cancel"]).default("disconnect"),
      ...base,
    })
    .strict()
    .refine((w) => w.onTimeout !== "cancel" || w.workload === "txn", { path: ["onTimeout"], message: "cancel is for the txn workload, a connection per transaction (append and register share one connection, where a cancel could reach the next statement); allowed for them: disconnect" }),
  z.object({ client: z.literal("module"), module: z.string().min(1), options: z.record(z.string(), z.unknown()).optional(), ...base }).strict(),
]);
export type AppWorkloadSpec = z.input<typeof AppWorkload>;
type Parsed = z.output<typeof AppWorkload>;

/** What a user's client module is given. */
export interface ClientContext {
  lab: string;
  project: string;
  /** http://127.0.0.1:<port> of a container's published port, looked up now (a restarted container moves). */
  url(target: string, port: number): Promise<string>;
  /** Every replica's URL, for a client that fails over between them. */
  urls(target: string, port: number): Promise<string[]>;
  timeoutMs: number;
  options: Record<string, unknown>;
}

/** The operation a user's client is asked to perform. */
export interface UserOp {
  f: string;
  value: unknown;
  index: number;
}

export interface UserClient {
  invoke(op: UserOp, signal: AbortSignal): Promise<Outcome>;
  /** What the system holds at the end: the values written (lostWrites, duplicates compare against it). */
  finalRead?(): Promise<unknown[]>;
  close?(): Promise<void> | void;
}

export interface ClientModule {
  open(ctx: ClientContext): Promise<UserClient> | UserClient;
  /** The i-th operation; by default a write of a value unique to the run. */
  op?(i: number, tag: string): { f: string; value: unknown };
}

/** Gives a client module its type: `export default defineClient({ open, op })`. */
export function defineClient(m: ClientModule): ClientModule {
  return m;
}

/** Process numbers: each workload its own range, final reads far above. */
const PROCESSES_PER_WORKLOAD = 100_000;
const FINAL_READS = 1_000_000;

export async function loadClientModule(path: string, baseDir: string, field: string): Promise<ClientModule> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  let mod: { default?: unknown; open?: unknown; op?: unknown };
  try {
    if (/\.m?ts$/.test(file)) {
      const { tsImport } = await import("tsx/esm/api");
      mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as typeof mod;
    } else mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (err) {
    throw new UsageError(`${field}: ${path} does not import: ${errorMessage(err).split("\n")[0] ?? ""}`);
  }
  const m = (typeof mod.default === "object" && mod.default !== null ? mod.default : mod) as Partial<ClientModule>;
  if (typeof m.open !== "function") throw new UsageError(`${field}: ${path} does not export the client protocol: a default export { open(ctx) → { invoke(op) } } (see docs/bring-your-own.md)`);
  if (m.op !== undefined && typeof m.op !== "function") throw new UsageError(`${field}: ${path}: op must be a function (i, tag) → { f, value }`);
  return m as ClientModule;
}

interface Env {
  recorder: HistoryRecorder;
  snapshot: () => Promise<AppSnapshot>;
  lab: string;
  project: string;
  /** Unique to the run: written values carry it, so a value is never mistaken for another run's. */
  tag: string;
  baseDir: string;
}

/**
 * Every replica's published port for a target and container port, looked up at most every half
 * second: a restarted container moves to a new port, but a lookup lists and inspects
 * every container of the project, and a client at 20 operations a second asking for it
 * each time put 60 inspects a second on the engine. Lookups made together share one.
 */
function publishedEndpoints(env: Env): (target: string, port: number) => Promise<Endpoint[]> {
  const book = new Map<string, { at: number; endpoints: Promise<Endpoint[]> }>();
  return (target, port) => {
    const key = `${target}:${port}`;
    const have = book.get(key);
    if (have && performance.now() - have.at <= 500) return have.endpoints;
    const endpoints = env
      .snapshot()
      .then((snap) => select(snap, "workload.target", target, { running: false }).flatMap((c) => c.container.ports.filter((p) => p.container === port).map((p) => ({ target: c.target, port: p.hostPort }))));
    // A failed lookup keeps the last answer rather than none.
    const kept = have ? endpoints.catch(() => have.endpoints) : endpoints;
    book.set(key, { at: performance.now(), endpoints: kept });
    return kept;
  };
}

function publishedUrls(env: Env): (target: string, port: number) => Promise<string[]> {
  const endpoints = publishedEndpoints(env);
  return async (target, port) => (await endpoints(target, port)).map((e) => `http://127.0.0.1:${e.port}`);
}

/** Hands out every replica's published URL in turn. */
function roundRobin(urlsOf: (target: string, port: number) => Promise<string[]>, target: string, port: number): () => Promise<string> {
  let n = 0;
  return async () => {
    const urls = await urlsOf(target, port).catch((): string[] => []);
    // No published port at all (every replica down): a refused connection, recorded as fail.
    return urls[n++ % Math.max(1, urls.length)] ?? "http://127.0.0.1:9";
  };
}

export function httpOp(spec: Extract<Parsed, { client: "http" }>, tag: string): (i: number) => Operation {
  const f = spec.method === "GET" ? "read" : "write";
  return (i) => {
    const key = `k${i % spec.keys}`;
    const value = `${tag}-${i}`;
    return { f, value: { key, value } };
  };
}

const fill = (template: string, v: { key: string; value: string }) => template.replaceAll("{key}", encodeURIComponent(v.key)).replaceAll("{value}", encodeURIComponent(v.value));

/** A client module is loaded (and its protocol checked) when the scenario is, before anything starts. */
export async function startAppWorkload(raw: AppWorkloadSpec, k: number, env: Env, field: string, loaded?: ClientModule): Promise<RunningLoad> {
  const spec = AppWorkload.parse(raw);
  const processBase = k * PROCESSES_PER_WORKLOAD;
  if (spec.client === "redis" || spec.client === "postgres") {
    const endpoints = publishedEndpoints(env);
    const of = () => endpoints(spec.targets, spec.port);
    const sys =
      spec.client === "redis"
        ? redisClient({ endpoints: of, workload: spec.workload, key: spec.key, timeoutMs: spec.timeoutMs })
        : pgClient({ endpoints: of, workload: spec.workload, isolation: spec.isolation, login: { user: spec.user, password: spec.password, database: spec.database }, table: spec.table, timeoutMs: spec.timeoutMs, onTimeout: spec.onTimeout });
    const load = new OpenLoop(sys, env.recorder, { rate: spec.rate, op: (i) => ({ ...sys.op(i, env.tag), index: i }), processBase }).start();
    return { load, client: sys, finish: () => finalReads(env, k, sys.finalRead?.bind(sys)) };
  }
  const urlsOf = publishedUrls(env);
  if (spec.client === "http") {
    const client = new HttpClient({
      baseUrl: roundRobin(urlsOf, spec.target, spec.port),
      request: (op) => {
        const v = op.value as { key: string; value: string };
        return { method: spec.method, path: fill(spec.path, v), ...(spec.body !== undefined ? { body: fill(spec.body, v) } : {}) };
      },
      timeoutMs: spec.timeoutMs,
      ...(spec.retry ? { retry: spec.retry } : {}),
    });
    const load = new OpenLoop(client, env.recorder, { rate: spec.rate, op: httpOp(spec, env.tag), processBase }).start();
    return { load, client, finish: () => Promise.resolve() };
  }
  const m = loaded ?? (await loadClientModule(spec.module, env.baseDir, `${field}.module`));
  const ctx: ClientContext = {
    lab: env.lab,
    project: env.project,
    url: async (target, port) => {
      const [u] = await urlsOf(target, port);
      if (!u) throw new Error(`${target} publishes no port ${port}`);
      return u;
    },
    urls: urlsOf,
    timeoutMs: spec.timeoutMs,
    options: spec.options ?? {},
  };
  let user: UserClient;
  try {
    user = await m.open(ctx);
  } catch (err) {
    throw new UsageError(`${field}.module: ${spec.module}: open() failed: ${errorMessage(err)}`);
  }
  if (typeof user.invoke !== "function") throw new UsageError(`${field}.module: ${spec.module}: open() must return a client with invoke(op)`);
  const client: Client = {
    invoke: async (op, signal) => {
      try {
        return await user.invoke({ f: op.f, value: op.value, index: op.index ?? 0 }, signal);
      } catch (err) {
        // A client that throws does not know what happened: unknown, never a failure.
        return { type: "info", error: errorMessage(err) };
      }
    },
    close: async () => {
      await user.close?.();
    },
  };
  const op = (i: number): Operation => ({ ...(m.op?.(i, env.tag) ?? { f: "write", value: `${env.tag}-${i}` }), index: i });
  const load = new OpenLoop(client, env.recorder, { rate: spec.rate, op, processBase }).start();
  return {
    load,
    client,
    finish: () => finalReads(env, k, user.finalRead?.bind(user)),
  };
}

/**
 * The truth at the end, retried for up to 30 s while the system settles after the last
 * heal (a Sentinel demotes a returning old primary only after its next hello): every
 * attempt is in the history, and the checks read the last that succeeded.
 */
async function finalReads(env: Env, k: number, read: (() => Promise<unknown[]>) | undefined): Promise<void> {
  // A client with no final read: the checks that need one say so.
  if (!read) return;
  const until = performance.now() + 30_000;
  for (let attempt = 0; performance.now() < until; attempt++) {
    const proc = FINAL_READS + k * 1000 + attempt;
    env.recorder.add({ type: "invoke", process: proc, f: "read-all" });
    const t0 = env.recorder.now();
    try {
      const items = await read();
      env.recorder.add({ type: "ok", process: proc, f: "read-all", value: items, latency: env.recorder.now() - t0 });
      return;
    } catch (err) {
      env.recorder.add({ type: "fail", process: proc, f: "read-all", error: errorMessage(err), latency: env.recorder.now() - t0 });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
