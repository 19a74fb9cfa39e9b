// What one fault did to the system, from its run's history: the worst that any service's
// clients lived through, in this order:
//   not recovered   after the heal, the steady state did not come back
//   wrong answers   an old primary acknowledged after a newer one (split brain)
//   data lost       acknowledged data gone (beyond what the paper itself expects)
//   outage          a service served under half its operations while the fault lasted
//   degraded        some operations failed, but the service went on serving
//   masked          every operation succeeded, at most after a client's retry
// The paper expects two losses of a CPU failure, and they do not count against a fault:
// a session's connection state, and a write-back cache's unflushed writes.
import { scoreRows, type ScoreRow } from "../checks/scorecard.js";
import type { ScenarioResult } from "../scenario/result.js";

export const VERDICTS = ["masked", "degraded", "outage", "data lost", "wrong answers", "not recovered"] as const;
export type SweepVerdict = (typeof VERDICTS)[number];

/** A service served less than this share of its operations during the fault: an outage. */
export const OUTAGE_BELOW = 50;

export interface FaultFigures {
  failed: number;
  lost: number;
  /** The longest a service took from the fault to its first success, ms. */
  recoveryMs: number | null;
  /** The lowest share of operations a service completed during the fault, %. */
  availability: number | null;
  /**
   * The repair time (MTTR): from the fault until every pair it exposed was re-protected and
   * every mirror it took out was back, ms (the runtime check's protectedAgain); null when
   * the run ended first, or the system reports no such events.
   */
  protectedMs: number | null;
  staleAcks: number;
}

export interface FaultVerdict {
  verdict: SweepVerdict;
  /** Why, in one line: the service and the figure that decided it. */
  why: string;
  figures: FaultFigures;
  /** Findings the paper predicts (a lost session, write-back losses), reported, not judged. */
  asPaperExpects: string[];
  services: ScoreRow[];
}

/** A single workload's operations carry no service name: its kind names it. */
const named = (x: ScoreRow) => x.service || x.kind;

const worse = (a: SweepVerdict, b: SweepVerdict) => (VERDICTS.indexOf(a) >= VERDICTS.indexOf(b) ? a : b);

export function judgeFault(r: Pick<ScenarioResult, "history" | "steady" | "checks" | "status" | "error">): FaultVerdict {
  const rows = scoreRows(r.history);
  const stale = r.checks.find((c) => c.name === "splitBrain")?.figures.stale ?? 0;
  // A loss the paper predicts: its claim for that service is the loss.
  const expected = (row: ScoreRow) => row.agrees && (row.measured === "session lost" || row.measured === "data lost");
  const figures: FaultFigures = {
    failed: rows.reduce((n, x) => n + x.failed, 0),
    lost: rows.filter((x) => !expected(x)).reduce((n, x) => n + (x.measured === "data lost" ? x.lost : 0), 0),
    recoveryMs: rows.some((x) => x.recoveryMs === null) ? null : Math.max(0, ...rows.map((x) => x.recoveryMs ?? 0)),
    availability: rows.length ? Math.min(...rows.map((x) => x.availability ?? 100)) : null,
    staleAcks: stale ?? 0,
    protectedMs: r.checks.find((c) => c.name === "runtime")?.figures.protectedAgain ?? null,
  };
  const asPaperExpects = rows.filter(expected).map((x) => `${named(x)}: ${x.measured} (${x.paper})`);
  let verdict: SweepVerdict = "masked";
  let why = "every operation of every service succeeded";
  const raise = (v: SweepVerdict, reason: string) => {
    if (worse(v, verdict) === v && v !== verdict) [verdict, why] = [v, reason];
  };
  for (const x of rows) {
    if (expected(x)) continue;
    if (x.measured === "data lost") raise("data lost", `${named(x)} lost ${x.lost} acknowledged`);
    if (x.availability !== null && x.availability < OUTAGE_BELOW) raise("outage", `${named(x)} served ${x.availability}% during the fault`);
    if (x.failed > 0) raise("degraded", `${named(x)}: ${x.failed} operations failed`);
  }
  // The web service's writes are judged by the final read-all (the lostWrites check).
  const webLost = r.checks.find((c) => c.name === "lostWrites")?.figures.lost ?? 0;
  if (webLost !== null && webLost > 0) {
    figures.lost += webLost;
    raise("data lost", `web lost ${webLost} acknowledged writes`);
  }
  if (figures.staleAcks > 0) raise("wrong answers", `${figures.staleAcks} writes acknowledged by an old primary after a newer one`);
  const after = r.steady.after.filter((t) => !t.passed);
  if (r.status === "aborted") raise("not recovered", r.error ?? "the run was aborted");
  else if (after.length > 0) raise("not recovered", `steady state after the heal: ${after.map((t) => `${t.text} (${t.actual ?? "no value"})`).join("; ")}`);
  return { verdict, why, figures, asPaperExpects, services: rows };
}

/** A verdict that fails a sweep, unless its part is allowed (a known single point of failure). */
export function failsSweep(v: SweepVerdict): boolean {
  return VERDICTS.indexOf(v) >= VERDICTS.indexOf("outage");
}
