// The system's own account: how often each log event a scenario names was seen
// (LogEntry, ../app/logs.ts), with the lines themselves for the report, each timed from
// the fault before it. It judges nothing by itself: it is observed, and a threshold on
// its figures says what the system must or must not have said (`logs.notElected == 0`).
import type { FaultEntry, HistoryEntry, LogEntry } from "../history/types.js";
import type { Check, Unit } from "./types.js";

/** Lines shown in the report; the counts cover them all. */
const SHOWN = 100;

const seconds = (us: number) => (us / 1e6).toFixed(3);

/** The `logs` check for the events a scenario names, one count figure each. */
export function logsCheck(names: readonly string[]): Check {
  return {
    name: "logs",
    units: Object.fromEntries(names.map((n): [string, Unit] => [n, "count"])),
    run(history: readonly HistoryEntry[]) {
      const figures: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
      const table = [["at (s)", "after the fault (s)", "container", "event", "line"]];
      let inject: FaultEntry | undefined;
      for (const e of history) {
        if (e.type === "fault" && e.event === "inject") inject = e;
        if (e.type !== "log") continue;
        figures[e.event] = (figures[e.event] ?? 0) + 1;
        if (table.length <= SHOWN) table.push(row(e, inject));
      }
      return { valid: true, figures, anomalies: [], ...(table.length > 1 ? { table } : {}) };
    },
  };
}

function row(e: LogEntry, inject: FaultEntry | undefined): string[] {
  return [seconds(e.time), inject ? `${seconds(e.time - inject.time)} (${inject.id})` : "", e.target, e.event, e.line.length > 160 ? `${e.line.slice(0, 157)}...` : e.line];
}
