// The schedule's only source of chance: a seeded generator (pure-rand's xoroshiro128+).
// The same seed gives the same draws, so the same seed gives the same schedule.
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export interface Rng {
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
  pick<T>(xs: readonly T[]): T;
  shuffle<T>(xs: readonly T[]): T[];
}

export function seeded(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  const rng: Rng = {
    int: (from, to) => uniformInt(gen, from, to),
    pick: (xs) => {
      if (xs.length === 0) throw new Error("pick from an empty list");
      return xs[rng.int(0, xs.length - 1)] as (typeof xs)[number];
    },
    shuffle: (xs) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
  };
  return rng;
}
