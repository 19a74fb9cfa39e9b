// Every scenario, by name. `nonstop run <name|all>` and the vitest `scenarios` project
// both read this list.
import type { ScenarioSpec } from "../lab/scenario/define.js";
import classicKill from "./classic-kill.js";
import classicRecover from "./classic-recover.js";
import pairKill from "./pair-kill.js";
import pairPause from "./pair-pause.js";
import partitionPrimary from "./partition-primary.js";
import planeFail from "./plane-fail.js";
import mirrorCorrupt from "./mirror-corrupt.js";
import mirrorWipe from "./mirror-wipe.js";
import tmrDiverge from "./tmr-diverge.js";
import scorecard from "./scorecard.js";
import txCrashSweep from "./tx-crash-sweep.js";
import mailMidData from "./mail-mid-data.js";
import downloadFailover from "./download-failover.js";
import filesCache from "./files-cache.js";
import secondFault from "./second-fault.js";
import planeLinkLoss from "./plane-link-loss.js";
import txnSerializable from "./txn-serializable.js";

export const SCENARIOS: readonly ScenarioSpec[] = [classicKill, classicRecover, pairKill, planeFail, planeLinkLoss, pairPause, txnSerializable, partitionPrimary, mirrorCorrupt, mirrorWipe, tmrDiverge, txCrashSweep, mailMidData, downloadFailover, filesCache, scorecard, secondFault];
