// A cycle drawn as inline SVG: its transactions on a circle, clockwise, each edge a curve
// bowed outward so that a two-transaction cycle's edges do not lie on top of each other.
// Inline SVG keeps the report one self-contained file, readable offline.
import type { Ring } from "../checks/types.js";
import { esc } from "./escape.js";

const NODE = 18;

const f = (x: number) => x.toFixed(1);

/** `id` keeps each drawing's arrowhead definitions apart on one page. */
export function ringSvg(ring: Ring, id: string): string {
  const n = ring.nodes.length;
  const radius = Math.max(70, n * 32);
  const margin = 70;
  const size = 2 * (radius + margin);
  const c = radius + margin;
  const at = ring.nodes.map((_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: c + radius * Math.cos(a), y: c + radius * Math.sin(a) };
  });
  const edges = ring.edges.map((e, i) => {
    const p = at[i];
    const q = at[(i + 1) % n];
    if (!p || !q) return "";
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    // (dy, -dx) points outward for a clockwise walk in screen coordinates.
    const nx = dy / len;
    const ny = -dx / len;
    const bow = n === 2 ? radius : len * 0.2;
    const k = { x: (p.x + q.x) / 2 + nx * bow, y: (p.y + q.y) / 2 + ny * bow };
    const trim = (from: { x: number; y: number }, by: number) => {
      const l = Math.hypot(k.x - from.x, k.y - from.y) || 1;
      return { x: from.x + ((k.x - from.x) / l) * by, y: from.y + ((k.y - from.y) / l) * by };
    };
    const s = trim(p, NODE);
    const t = trim(q, NODE + 3);
    // The label sits just outside the curve's apex, anchored on the side away from it.
    const mid = { x: 0.25 * p.x + 0.5 * k.x + 0.25 * q.x + nx * 10, y: 0.25 * p.y + 0.5 * k.y + 0.25 * q.y + ny * 10 };
    const anchor = nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle";
    const colour = e.emphasis ? "#b3261e" : "#4a5468";
    return `<path d="M${f(s.x)} ${f(s.y)} Q${f(k.x)} ${f(k.y)} ${f(t.x)} ${f(t.y)}" fill="none" stroke="${colour}" stroke-width="2"${e.emphasis ? ' stroke-dasharray="6 4"' : ""} marker-end="url(#${id}-${e.emphasis ? "hot" : "arrow"})"/><text x="${f(mid.x)}" y="${f(mid.y)}" text-anchor="${anchor}" dominant-baseline="middle" fill="${colour}">${esc(e.label)}</text>`;
  });
  const nodes = ring.nodes.map((label, i) => {
    const p = at[i];
    return p ? `<circle cx="${f(p.x)}" cy="${f(p.y)}" r="${NODE}" fill="#eef2f8" stroke="#2457c5" stroke-width="2"/><text x="${f(p.x)}" y="${f(p.y)}" text-anchor="middle" dominant-baseline="central" font-weight="600">${esc(label)}</text>` : "";
  });
  const marker = (name: string, colour: string) =>
    `<marker id="${id}-${name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${colour}"/></marker>`;
  return `<figure class="ring"><svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="${esc(ring.title)}" font-size="13" font-family="system-ui,sans-serif"><defs>${marker("arrow", "#4a5468")}${marker("hot", "#b3261e")}</defs>${edges.join("")}${nodes.join("")}</svg><figcaption>${esc(ring.title)}</figcaption></figure>`;
}
