// Cycles in the dependency graph, classified as Adya does (and Elle reports them):
//   G0       a cycle of write dependencies only (dirty write);
//   G1c      of write and read dependencies, at least one read (circular information flow);
//   G-single exactly one anti-dependency (read skew, lost update);
//   G2-item  two or more anti-dependencies (write skew).
// A serializable history has no cycle at all, so the search runs only inside strongly
// connected components, and a correct run costs one linear pass (Tarjan's). Inside a
// component, each class is looked for by breadth-first search, which finds the shortest
// cycle through its start: the smallest proof the report can show.
import { RW, WR, WW, type Edge, type EdgeKind } from "./graph.js";

export type CycleClass = "G0" | "G1c" | "G-single" | "G2-item";

export interface Step {
  from: number;
  to: number;
  kind: EdgeKind;
  key: string;
  value: number;
}

export interface Cycle {
  class: CycleClass;
  steps: Step[];
}

/** Strongly connected components of more than one transaction (iterative Tarjan: no deep recursion on 100,000 nodes). */
export function components(out: readonly Edge[][]): number[][] {
  const n = out.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const found: number[][] = [];
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1] as [number, number];
      const [v, i] = top;
      const edges = out[v] ?? [];
      if (i < edges.length) {
        top[1] = i + 1;
        const w = (edges[i] as Edge).to;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        const scc: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) found.push(scc);
      }
    }
  }
  return found;
}

/** The shortest path from `from` to `to` over edges whose kind is in `mask`, inside `within`. */
function shortestPath(out: readonly Edge[][], from: number, to: number, mask: number, within: Set<number>): Step[] | undefined {
  const via = new Map<number, Step>();
  const queue = [from];
  const seen = new Set([from]);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    for (const e of out[v] ?? []) {
      if (!(e.kind & mask) || !within.has(e.to) || seen.has(e.to)) continue;
      seen.add(e.to);
      via.set(e.to, { from: v, ...e });
      if (e.to === to) {
        const path: Step[] = [];
        let at = to;
        do {
          const s = via.get(at) as Step;
          path.unshift(s);
          at = s.from;
        } while (at !== from);
        return path;
      }
      queue.push(e.to);
    }
  }
  return undefined;
}

/** Edges are tried as cycle closers at most this many times per class and component: enough for a proof, bounded for a pathological one. */
const TRIES = 64;

/** The shortest of the cycles found, starting at its lowest transaction (the same proof reads the same way every run). */
function shortest(cycles: (Step[] | undefined)[]): Step[] | undefined {
  let best: Step[] | undefined;
  for (const c of cycles) if (c && (!best || c.length < best.length)) best = c;
  if (!best) return undefined;
  const start = best.reduce((at, s, i) => (s.from < (best[at] as Step).from ? i : at), 0);
  return [...best.slice(start), ...best.slice(0, start)];
}

/** The cycles of one component, at most one per class, each the shortest found. */
export function classify(out: readonly Edge[][], scc: readonly number[]): Cycle[] {
  const within = new Set(scc);
  const inside = scc.flatMap((v) => (out[v] ?? []).filter((e) => within.has(e.to)).map((e) => ({ from: v, ...e })));
  const closing = (kind: EdgeKind, mask: number) => {
    const tries: (Step[] | undefined)[] = [];
    for (const e of inside) {
      if (e.kind !== kind) continue;
      const back = shortestPath(out, e.to, e.from, mask, within);
      tries.push(back ? [e, ...back] : undefined);
      if (tries.length >= TRIES) break;
    }
    return shortest(tries);
  };
  const found: Cycle[] = [];
  const g0 = closing(WW, WW);
  if (g0) found.push({ class: "G0", steps: g0 });
  const g1c = closing(WR, WW | WR);
  if (g1c) found.push({ class: "G1c", steps: g1c });
  const single = closing(RW, WW | WR);
  if (single) found.push({ class: "G-single", steps: single });
  // A component whose every cycle needs two anti-dependencies: any way back will do, and
  // the cycle is named by what it holds (a bounded search may miss a G-single, not misname one).
  else {
    const g2 = closing(RW, WW | WR | RW);
    if (g2) found.push({ class: g2.filter((x) => x.kind === RW).length > 1 ? "G2-item" : "G-single", steps: g2 });
  }
  return found;
}

export function edgeName(kind: EdgeKind): "ww" | "wr" | "rw" {
  return kind === WW ? "ww" : kind === WR ? "wr" : "rw";
}

/** A step in words: "T3 -rw(x 7)-> T5". */
export function describeStep(s: Step): string {
  return `T${s.from} -${edgeName(s.kind)}(${s.key} ${s.value})-> T${s.to}`;
}
