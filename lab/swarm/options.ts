// What `up --swarm` takes (lab/swarm/up.ts), apart from what every bring-up does.
import type { SwarmTakeover } from "./stack.js";

export interface SwarmOptions {
  /** Node hostname to the endpoint of its engine (tcp://HOST:2375, ssh://USER@HOST), for every node but this one. */
  nodes?: Record<string, string>;
  /**
   * A directory every node sees at the same path (an NFS mount; on one machine, any
   * directory): each mirror is a volume bound to <dir>/<lab>/<mirror> there. Without it the
   * mirrors are `local` volumes, which exist on one node only, so the CPUs stay on one node.
   */
  mirrorDir?: string;
  /** How a service follows its primary (default `repoint`; ./stack.ts says why). */
  takeover?: SwarmTakeover;
}
