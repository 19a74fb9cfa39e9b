// `nonstop check <history.jsonl>`: re-runs checks on a saved history, offline, with no lab.
import { CHECKS } from "../checks/index.js";
import { judge, parseThreshold } from "../checks/thresholds.js";
import { UsageError } from "../errors.js";
import { loadHistory } from "../history/recorder.js";
import { describeThreshold } from "../scenario/result.js";

export async function checkCommand(file: string, flags: { checks: string; threshold?: string[]; json?: boolean }): Promise<void> {
  const names = flags.checks.split(",").map((s) => s.trim()).filter(Boolean);
  const checks = names.map((n, i) => {
    const c = CHECKS[n];
    if (!c) throw new UsageError(`--checks[${i}]: unknown check '${n}'; allowed: ${Object.keys(CHECKS).join(", ")}`);
    return c;
  });
  const thresholds = (flags.threshold ?? []).map((t, i) => parseThreshold(t, `--threshold[${i}]`, checks));
  let history;
  try {
    history = await loadHistory(file);
  } catch (err) {
    throw new UsageError(`check: cannot read history ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const verdicts = checks.map((c) => ({ name: c.name, ...c.run(history) }));
  const judged = thresholds.map((t) => judge(t, verdicts.find((v) => v.name === t.check) ?? { valid: false, figures: {}, anomalies: [] }));
  if (flags.json) console.log(JSON.stringify({ file, entries: history.length, checks: verdicts, thresholds: judged }));
  else {
    console.log(`${file}: ${history.length} entries`);
    for (const v of verdicts) {
      console.log(`  ${v.valid ? "valid  " : "INVALID"} ${v.name}: ${Object.entries(v.figures).map(([k, x]) => `${k}=${x ?? "–"}`).join(" ")}`);
      for (const a of v.anomalies.slice(0, 5)) console.log(`          ${a.message}`);
    }
    for (const t of judged) console.log(`  ${describeThreshold(t)}`);
  }
  if (verdicts.some((v) => !v.valid) || judged.some((t) => !t.passed)) process.exitCode = 1;
}
