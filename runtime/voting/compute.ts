// The computation the voted (TMR) service performs. Pure and deterministic, so three
// healthy replicas always agree and a check can recompute any answer a client received.
import { createHash } from "node:crypto";

export function compute(x: number): string {
  let h = `nonstop:${x}`;
  // A little real work per request, so replicas are CPUs doing something.
  for (let i = 0; i < 50; i++) h = createHash("sha256").update(h).digest("hex");
  return h.slice(0, 16);
}

/** What a diverging replica answers instead: wrong, and plausibly so. */
export function corrupted(answer: string): string {
  const last = answer.at(-1) === "0" ? "1" : "0";
  return `${answer.slice(0, -1)}${last}`;
}
