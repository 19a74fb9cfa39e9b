// What every service gives the agent: a way to stop, and its truth, the state the pair
// holds now (the final read of a scenario's checks, asked of the primary).
import type { Pair } from "../pairs/pair.js";
import type { Service } from "../../lab/topology/types.js";
import type { EventLog } from "../events.js";
import type { Raid1 } from "../raid/raid1.js";
import type { CrashPoints } from "../pairs/crash.js";

export interface RunningService {
  truth(): unknown;
  close(): void;
}

export interface ServiceDeps {
  service: Service;
  pair: Pair;
  cpu: string;
  raid: Raid1;
  events: EventLog;
  crash?: CrashPoints;
}
