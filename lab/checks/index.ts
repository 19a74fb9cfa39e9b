// The check catalogue, by the names scenarios use.
import { availability } from "./availability.js";
import { failoverGap } from "./failover-gap.js";
import { latency } from "./latency.js";
import { linearizable } from "./linearizable.js";
import type { Check } from "./types.js";
import { duplicates, lostWrites } from "./writes.js";
import { runtime, splitBrain } from "./runtime.js";
import { readsCorrect, rightAnswers } from "./reads.js";
import { downloads, files, mail, sessions, transactions } from "./services.js";
import { scorecard } from "./scorecard.js";
import { listAppend } from "./elle/index.js";

export const CHECKS: Record<string, Check> = {
  availability,
  failoverGap,
  latency,
  lostWrites,
  duplicates,
  linearizable,
  runtime,
  splitBrain,
  readsCorrect,
  rightAnswers,
  transactions,
  mail,
  downloads,
  files,
  sessions,
  scorecard,
  listAppend,
};

export { availability, failoverGap, latency, lostWrites, duplicates, linearizable, runtime, splitBrain, readsCorrect, rightAnswers, transactions, mail, downloads, files, sessions, scorecard, listAppend };
export type { Check, Verdict, Anomaly, Unit } from "./types.js";
