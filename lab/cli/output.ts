// How the CLI talks to people: progress to stderr, results to stdout, tables aligned.

export function progressLine(line: string): void {
  process.stderr.write(`  │ ${line}\n`);
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}
