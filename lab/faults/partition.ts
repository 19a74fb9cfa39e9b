// Partitions as pure values, Jepsen-style: build the sides with small helpers, then turn
// them into a grudge (who cannot hear whom). Applying it is the injector's job.
import { UsageError } from "../errors.js";

/** Who cannot hear whom: grudge[a] lists the CPUs whose messages never reach a. */
export type Grudge = Record<string, string[]>;

/** Every CPU ignores every CPU on another side. Throws if a CPU is on two sides. */
export function grudgeFromSides(sides: string[][]): Grudge {
  const sideOf = new Map<string, number>();
  sides.forEach((side, i) => {
    for (const cpu of side) {
      const j = sideOf.get(cpu);
      if (j !== undefined) throw new UsageError(`partition: ${cpu} is on both side ${j + 1} and side ${i + 1}; each CPU belongs to one side`);
      sideOf.set(cpu, i);
    }
  });
  const grudge: Grudge = {};
  for (const [cpu, i] of sideOf) grudge[cpu] = [...sideOf].filter(([, j]) => j !== i).map(([other]) => other);
  return grudge;
}

/** One CPU cut off from all the others. */
export function splitOne(cpus: readonly string[], cpu: string): string[][] {
  return [[cpu], cpus.filter((c) => c !== cpu)];
}

/** Two halves; the first gets the extra CPU when the count is odd (it is the majority). */
export function halves(cpus: readonly string[]): string[][] {
  const mid = Math.ceil(cpus.length / 2);
  return [cpus.slice(0, mid), cpus.slice(mid)];
}

/**
 * Jepsen's majorities ring: each CPU hears a majority (itself and its nearest neighbours
 * around the ring) but no two CPUs hear the same majority, so no side is "the" majority.
 */
export function majoritiesRing(cpus: readonly string[]): Grudge {
  const n = cpus.length;
  const majority = Math.floor(n / 2) + 1;
  const grudge: Grudge = {};
  cpus.forEach((cpu, i) => {
    const hears = new Set<string>();
    for (let k = 0; k < majority; k++) hears.add(cpus[(i + k - Math.floor((majority - 1) / 2) + n) % n] ?? cpu);
    grudge[cpu] = cpus.filter((c) => !hears.has(c));
  });
  return grudge;
}

/** The ordered (sender, receiver) pairs a grudge cuts. */
export function cutLinks(grudge: Grudge): { from: string; to: string }[] {
  return Object.entries(grudge).flatMap(([to, froms]) => froms.map((from) => ({ from, to })));
}
