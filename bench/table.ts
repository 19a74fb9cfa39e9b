// The markdown table of a bench run: every summarised figure (an object with n, median,
// p99, min and max) becomes a row, found wherever it sits in a benchmark's JSON. A figure
// whose max is more than twice its min is flagged: on this noisy machine such a spread is a
// finding in itself, not something to average away.
import type { Summary } from "./figures.js";

function isSummary(x: unknown): x is Summary {
  return typeof x === "object" && x !== null && ["n", "median", "p99", "min", "max"].every((k) => k in x);
}

function rows(prefix: string, x: unknown, out: string[][]): void {
  if (isSummary(x)) {
    const spread = x.min > 0 && x.max / x.min > 2 ? `${Math.round((x.max / x.min) * 10) / 10}×` : "";
    out.push([prefix, String(x.n), `${x.median}`, `${x.p99}`, `${x.min}`, `${x.max}`, x.unit, spread]);
    return;
  }
  if (typeof x === "object" && x !== null && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) rows(prefix ? `${prefix}.${k}` : k, v, out);
  }
}

export function markdownTable(machine: { cores: number; memoryGiB: number; node: string; at: string; smoke: boolean }, results: Record<string, unknown>[]): string {
  const lines = [
    `Measured ${machine.at} on ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}${machine.smoke ? " (smoke run: too few samples to quote)" : ""}.`,
    "",
    "| figure | N | median | p99 | min | max | unit | spread > 2× |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const out: string[][] = [];
    const { bench, cores: _c, at: _a, ...rest } = r;
    rows(String(bench), rest, out);
    for (const row of out) lines.push(`| ${row.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
