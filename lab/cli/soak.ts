// `nonstop soak [--for D] [--round D] [--seed N]`: the seeded chaos soak (lab/soak/), a line
// per round as each is judged, and a failing exit if any round broke a promise.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { UsageError } from "../errors.js";
import type { ScenarioResult } from "../scenario/result.js";
import { runSoak, soakRound, soakRounds } from "../soak/soak.js";
import { resolveScenario } from "../scenario/validate.js";
import { writableFolder } from "../util/folder.js";
import { parseDuration } from "../util/duration.js";
import { buildImages } from "./images.js";

/** The figures a soak round is judged on, in one line. */
function roundLine(r: ScenarioResult, round: number, rounds: number): string {
  const f = (check: string, figure: string) => r.checks.find((c) => c.name === check)?.figures[figure] ?? "-";
  const faults = r.history.filter((e) => e.type === "fault" && e.event === "inject").length;
  const broken = r.thresholds.filter((t) => !t.passed).map((t) => `${t.text} (${String(t.actual)})`);
  const after = r.steady.after.filter((t) => !t.passed).map((t) => `after the faults: ${t.text} (${String(t.actual)})`);
  const why = [...broken, ...after].join("; ");
  return (
    `${r.ok ? "✔" : "✘"} round ${round}/${rounds} (seed ${r.seed}): ${faults} faults, ${String(f("availability", "ops"))} ops, availability ${String(f("availability", "overall"))}%; ` +
    `lost ${String(f("lostWrites", "lost"))}+${String(f("transactions", "lost"))}+${String(f("mail", "lost"))}+${String(f("files", "lost"))}, duplicated ${String(f("duplicates", "duplicated"))}+${String(f("mail", "duplicated"))}, overcharged ${String(f("transactions", "overcharged"))}, stale acks ${String(f("splitBrain", "stale"))}, takeovers ${String(f("runtime", "takeovers"))}` +
    (r.ok ? "" : `\n    ${r.status === "aborted" ? "aborted: the steady state before the faults failed" : why}`) +
    (r.reportDir ? `\n    report: ${r.reportDir}/report.html` : "")
  );
}

export async function soakCommand(config: LabConfig, flags: { for: string; round: string; seed: number; report: string }): Promise<void> {
  const forMs = parseDuration("--for", flags.for, { bareSeconds: true });
  const roundMs = parseDuration("--round", flags.round, { bareSeconds: true });
  if (roundMs < 20_000) throw new UsageError(`--round: at least 20s, so each round has room for several faults and their heals (got '${flags.round}')`);
  if (forMs < roundMs) throw new UsageError(`--for: at least one round (--round ${flags.round}); got '${flags.for}'`);
  resolveScenario(soakRound(flags.seed, 1, roundMs), "validate");
  const reportDir = await writableFolder("--report", flags.report);

  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const { images } = await buildImages(config, { quiet: true });
  const rounds = soakRounds(forMs, roundMs);
  console.log(`soak: ${rounds} round(s) of ${roundMs / 1000}s, seed ${flags.seed}; every fault kind, one at a time, against web, transactions, mail, downloads and files`);
  const r = await runSoak({ plumbing, images, seed: flags.seed, forMs, roundMs, reportDir, onRound: (x, i, n) => console.log(roundLine(x, i, n)) });
  const held = r.rounds.filter((x) => x.ok).length;
  console.log(`${held} of ${r.rounds.length} rounds held every promise (seed ${flags.seed}; the same seed replays the same faults)`);
  if (!r.ok) process.exitCode = 1;
}
