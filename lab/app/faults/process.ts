// A process inside a user's container, killed (or stopped) by name from a helper that
// shares the container's process namespace: nothing is needed in the user's image, not
// even a shell or pkill.
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { HEALED } from "../../faults/kinds/kind.js";
import { runIn } from "../helper.js";
import { select } from "../system.js";
import { appKind, backUp, healTargets, needTarget, targets } from "./kind.js";

/**
 * A process matches by its name as ps shows it (comm) or by the file name of the program
 * it runs (argv[0]): node names its main thread "MainThread", and users type "node". The
 * helper's own shell is never a match. Exit 3 (no such process) is the user's mistake.
 * The kernel drops signals to a namespace's init from inside it, so the container's PID 1
 * is left to the engine, which signals from outside; the script signals the rest.
 */
const FIND_AND_SIGNAL = `
pids=""; names=""
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  [ "$pid" = "$$" ] && continue
  comm=$(cat "$d/comm" 2>/dev/null) || continue
  argv0=$(tr '\\0' '\\n' < "$d/cmdline" 2>/dev/null | head -1); prog=\${argv0##*/}
  [ -n "$prog" ] || continue
  names="$names $prog"
  if [ "$comm" = "$NAME" ] || [ "$prog" = "$NAME" ]; then pids="$pids $pid"; fi
done
if [ -z "$pids" ]; then echo "--name: no process named '$NAME' in $TARGET; it runs: $(echo $names | tr ' ' '\\n' | sort -u | grep -vx -e sh -e tr -e head -e cat -e sort | tr '\\n' ' ')" >&2; exit 3; fi
others=$(echo $pids | tr ' ' '\\n' | grep -vx 1 | tr '\\n' ' ')
[ -z "$others" ] || kill -$SIG $others
echo $pids`;

export const SIGNALS = ["KILL", "TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "STOP"] as const;

export const processFaults = {
  "process.kill": appKind({
    schema: z
      .object({
        kind: z.literal("process.kill"),
        target: z.string().min(1),
        /** The process's name as ps shows it (its comm), matched exactly. */
        name: z.string().regex(/^[\w.@+-]{1,15}$/, "a process name as ps shows it: letters, digits and ._@+-, at most 15"),
        signal: z.enum(SIGNALS).default("KILL"),
      })
      .strict(),
    summary: "signal a process in the container by name (--name P [--signal KILL|TERM|STOP|...]); STOP is healed with CONT",
    describe: (f) => `process.kill ${f.target} ${f.name} (SIG${f.signal})`,
    check: (f, snap, at) => void select(snap, `${at}.target`, f.target),
    cli: {
      parse: (i) => {
        if (!i.flags.name) throw new UsageError("--name is required: the process to signal, as ps shows it");
        const signal = (i.flags.signal ?? "KILL").toUpperCase().replace(/^SIG/, "");
        if (!(SIGNALS as readonly string[]).includes(signal)) throw new UsageError(`--signal: allowed: ${SIGNALS.join(", ")} (got '${i.flags.signal ?? ""}')`);
        return { kind: "process.kill", target: needTarget(i), name: i.flags.name, signal };
      },
    },
    apply: async (f, id, ctx) => {
      const pids: Record<string, string[]> = {};
      for (const c of await targets(ctx, f.target)) {
        const out = await runIn(ctx, c, id, "pid", FIND_AND_SIGNAL, { NAME: f.name, SIG: f.signal, TARGET: c.target });
        pids[c.target] = out.trim().split(/\s+/).filter(Boolean);
        if (pids[c.target]?.includes("1")) await ctx.plumbing.container.kill(c.container.id, `SIG${f.signal}`);
      }
      return pids;
    },
    revert: async (f, undo, id, ctx) => {
      for (const c of await healTargets(ctx, f.target)) {
        // A stopped process is continued; a killed one is gone, and its container is
        // started again if the kill took it down (Compose's restart policy may have already).
        const mine = undo[c.target] ?? [];
        if (f.signal === "STOP" && mine.length && c.container.state === "running") {
          const others = mine.filter((p) => p !== "1");
          if (others.length) await runIn(ctx, c, id, "pid", `kill -CONT ${others.join(" ")} 2>/dev/null; true`);
          if (mine.includes("1")) await ctx.plumbing.container.kill(c.container.id, "SIGCONT");
        }
        await backUp(ctx, [c]);
      }
      return HEALED;
    },
  }),
};
