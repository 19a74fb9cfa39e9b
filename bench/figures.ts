// Shared by the benchmarks: summarise samples (every figure names its N and spread) and
// print one JSON object per benchmark on stdout.
import { cpus } from "node:os";

export interface Summary {
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
  unit: string;
}

export function summarize(samples: number[], unit: string): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, median: round(at(0.5)), p99: round(at(0.99)), min: round(s[0] ?? NaN), max: round(s[s.length - 1] ?? NaN), unit };
}

export function printFigures(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, cores: cpus().length, at: new Date().toISOString(), ...figures }));
}

/** `--runs N` from argv, for a quick smoke run or a longer measurement. */
export function runsFromArgv(fallback: number): number {
  const i = process.argv.indexOf("--runs");
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** `--flag N`: a positive number from the command line, else the fallback. */
export function numberFromArgv(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** `--flag a,b`: a list from the command line, else the fallback. */
export function listFromArgv(flag: string, fallback: string[]): string[] {
  const i = process.argv.indexOf(flag);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v ? v.split(",").map((x) => x.trim()).filter(Boolean) : fallback;
}

export function since(t0: number): number {
  return performance.now() - t0;
}
