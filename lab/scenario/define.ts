// A scenario is a plain record of swappable parts, Jepsen-style: a topology, a workload, a
// fault schedule, checks with thresholds, and how long to run. It never calls Docker;
// the runner (./run.ts) does. `defineScenario` only gives the record its type.
import type { AppScenarioSpec } from "../app/scenario.js";
import type { Check } from "../checks/types.js";
import type { ExpectInput } from "./expectation.js";
import type { Fault } from "../faults/kinds/index.js";
import type { TopologyInput } from "../topology/schema.js";
import type { RetryPolicy } from "../workload/types.js";
import type { ServiceOps } from "../workload/service-ops.js";
import type { gens } from "../schedule/gens.js";

export interface HttpWorkloadSpec {
  client: "http";
  /** The service whose edge address the clients use. */
  service: string;
  /** Operations per second, open loop. */
  rate: number;
  /** Per-operation deadline. */
  timeoutMs: number;
  path?: string;
  /**
   * read (default): GET the path. add: POST /add?v=<unique value>, a write, followed at the
   * end of the run by a read-all (GET /all) that the lostWrites and duplicates checks use.
   * mixed: add, alternating with reads from the RAID (GET /disk/all; the readsCorrect
   * check). compute: the voted (TMR) computation (GET /compute?x=i; the rightAnswers check).
   */
  ops?: ServiceOps;
  retry?: RetryPolicy;
  keepAlive?: boolean;
}

/** What every client of one of the paper's services shares. */
interface ServiceWorkloadBase {
  /** The service whose edge address the clients use. */
  service: string;
  /** Operations per second, open loop. */
  rate: number;
  /** Per-attempt deadline: no answer this long, and the client tries again. */
  timeoutMs: number;
  /** Give up on an operation this long after it was due (default 10 s): its outcome is then unknown. */
  deadlineMs?: number;
}

/** Orders with idempotency keys, retried with the same key (the transactions check). */
export interface TransactionsWorkloadSpec extends ServiceWorkloadBase {
  client: "transactions";
  customers?: number;
}

/** Messages over SMTP (nodemailer), resent until 250 (the mail check). */
export interface SmtpWorkloadSpec extends ServiceWorkloadBase {
  client: "smtp";
  mailboxes?: number;
}

/** Downloads resumed with Range, checked by SHA-256, billed by receipt (the downloads check). */
export interface DownloadWorkloadSpec extends ServiceWorkloadBase {
  client: "downloads";
  /** The server's sending rate per download, KB/s (default 512). */
  kbps?: number;
  /** Every n-th download stops half way and is never paid for (default 4; 0: none). */
  abandonEvery?: number;
}

/** Whole-file writes, retransmitted until acknowledged (the files check). */
export interface FilesWorkloadSpec extends ServiceWorkloadBase {
  client: "files";
}

/** Users at terminals, INCR after INCR in a session (the sessions check). */
export interface SessionWorkloadSpec extends ServiceWorkloadBase {
  client: "session";
  users?: number;
}

export type WorkloadSpec = HttpWorkloadSpec | TransactionsWorkloadSpec | SmtpWorkloadSpec | DownloadWorkloadSpec | FilesWorkloadSpec | SessionWorkloadSpec;
export const WORKLOAD_CLIENTS = ["http", "transactions", "smtp", "downloads", "files", "session"] as const;

export type TimelineSpec = ({ at: string; inject: Fault; id?: string } | { at: string; heal: string } | { at: string; healAll: true })[];

export interface RandomSpec {
  mix: (keyof typeof gens)[];
  gap: [string, string];
  hold: [string, string];
}

export type ScheduleSpec = { timeline: TimelineSpec } | { random: RandomSpec };

export interface SteadyState {
  /** How long each steady-state window lasts (default "2s"). */
  duration?: string;
  /** What must hold in it (default ["availability.overall >= 99%"]). */
  thresholds?: string[];
}

export interface ScenarioSpec {
  name: string;
  /** The paper's claim this scenario tests, in one sentence. */
  claim: string;
  topology: TopologyInput;
  /** One workload, or several at once (one per service, as the scorecard runs). */
  workload: WorkloadSpec | WorkloadSpec[];
  schedule: ScheduleSpec;
  /** Length of the fault phase, e.g. "10s". */
  duration: string;
  /** Checked on its own slice before the faults (a failure aborts) and after them. */
  steadyState?: SteadyState;
  /** Names from the catalogue (availability, failoverGap, latency, lostWrites, duplicates, linearizable) or your own. */
  checks: (string | Check)[];
  /** Measured and reported, judged only by the thresholds that name them (e.g. a loss to report, bounded or not). */
  observe?: (string | Check)[];
  thresholds: string[];
  /**
   * An expected-failure baseline, such as the paper's classic single system, names what
   * must fail: `{ fail: ["availability.overall >= 99%"] }`. It is right only when exactly
   * those fail; anything else that fails makes it "failed unexpectedly" (./expectation.ts).
   */
  expect?: ExpectInput;
  seed?: number;
}

/** Either system's scenario: the Tandem machine's (topology) or a user's Compose project's (system). */
export type AnyScenarioSpec = ScenarioSpec | AppScenarioSpec;

export function defineScenario(spec: ScenarioSpec): ScenarioSpec;
export function defineScenario(spec: AppScenarioSpec): AppScenarioSpec;
export function defineScenario(spec: AnyScenarioSpec): AnyScenarioSpec {
  return spec;
}
