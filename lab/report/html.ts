// The self-contained HTML report: a timeline of ops/s, errors and p99 latency with the
// fault windows shaded and labelled, the checks with their verdicts, and the seed. uPlot
// is inlined from its npm package, so the page works offline and loads nothing.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ScenarioResult } from "../scenario/result.js";
import { describeThreshold, verdictOf } from "../scenario/result.js";
import { describeExpectation } from "../scenario/expectation.js";
import { esc } from "./escape.js";
import { ringSvg } from "./ring.js";
import { timelineOf } from "./timeseries.js";

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
const UPLOT_CSS = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");

/** JSON inside <script>: no "</script>" can close the tag early. */
function safeJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

export function renderHtml(r: ScenarioResult): string {
  const tl = timelineOf(r.history);
  const verdict = verdictOf(r);
  const rows = r.checks
    .map((c, i) => {
      const figures = Object.entries(c.figures)
        .map(([k, v]) => `${esc(k)}=${v === null ? "–" : v}`)
        .join(" · ");
      const anomalies = c.anomalies.map((a) => `<li>${esc(a.message)}</li>`).join("");
      const [head, ...body] = c.table ?? [];
      const table = head
        ? `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${body.map((row) => `<tr>${row.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`).join("")}</tbody></table>`
        : "";
      const rings = (c.cycles ?? []).map((ring, j) => ringSvg(ring, `ring-${i}-${j}`)).join("");
      return `<tr class="${c.observed ? "" : c.valid ? "ok" : "bad"}"><td>${esc(c.name)}</td><td>${c.observed ? "observed" : c.valid ? "valid" : "INVALID"}</td><td>${figures}${anomalies ? `<ul>${anomalies}</ul>` : ""}${table}${rings ? `<div class="rings">${rings}</div>` : ""}</td></tr>`;
    })
    .join("");
  const thresholdRows = [...r.thresholds, ...r.steady.before.map((t) => ({ ...t, text: `steady before: ${t.text}` })), ...r.steady.after.map((t) => ({ ...t, text: `steady after: ${t.text}` }))]
    .map((t) => `<tr class="${t.passed ? "ok" : "bad"}"><td colspan="2">${esc(t.text)}</td><td>${esc(describeThreshold(t))}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nonstop-lab: ${esc(r.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${UPLOT_CSS}
body{font:16px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem;margin:0 0 .2rem} .claim{color:#4a5468;margin:0 0 1rem}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600;color:#fff;background:${r.ok ? "#1f8a4c" : "#b3261e"}}
table{border-collapse:collapse;width:100%;margin:1rem 0} td,th{border-bottom:1px solid #dde2ea;padding:.45rem .5rem;text-align:left;vertical-align:top}
tr.bad td:nth-child(2){color:#b3261e;font-weight:600} tr.ok td:nth-child(2){color:#1f8a4c}
.rings{display:flex;flex-wrap:wrap;gap:1rem} .ring{margin:.5rem 0} .ring figcaption{color:#4a5468;font-size:.9rem;max-width:24rem}
.meta{color:#4a5468;font-size:.9rem} .chart{margin:1rem 0} ul{margin:.3rem 0 0 1rem;padding:0}
</style></head><body>
<h1>${esc(r.name)} <span class="badge">${esc(verdict)}</span></h1>
<p class="claim">${esc(r.claim)}</p>
<p>${esc(r.summary)}</p>
<p class="meta">seed <b>${r.seed}</b> · lab ${esc(r.lab)} · started ${esc(r.startedAt)} · ${(r.wallMs / 1000).toFixed(1)} s · ${esc(describeExpectation(r.expect))}</p>
<div id="ops" class="chart"></div><div id="lat" class="chart"></div>
<table><thead><tr><th>check</th><th>verdict</th><th>figures</th></tr></thead><tbody>${rows}${thresholdRows}</tbody></table>
<script>${UPLOT_JS}</script>
<script>
const tl = ${safeJson(tl)};
const width = Math.min(1100, document.body.clientWidth);
// Labels go on the first of three lines where they do not run into the one before; a
// soak's dozens of faults would otherwise print on top of one another. A label with no
// room is left out (its window is still shaded, and listed in summary.json).
function shade(u) {
  const ctx = u.ctx; ctx.save();
  const px = devicePixelRatio, lineEnds = [-Infinity, -Infinity, -Infinity];
  ctx.font = (12 * px) + "px system-ui"; ctx.textAlign = "left"; ctx.textBaseline = "top";
  for (const f of tl.faults) {
    const x0 = u.valToPos(f.start, "x", true), x1 = u.valToPos(f.end, "x", true);
    ctx.fillStyle = "rgba(179,38,30,0.12)"; ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
    const x = x0 + 4 * px, line = lineEnds.findIndex((end) => x >= end + 8 * px);
    if (line < 0) continue;
    ctx.fillStyle = "#b3261e";
    ctx.fillText(f.label, x, u.bbox.top + (4 + 15 * line) * px);
    lineEnds[line] = x + ctx.measureText(f.label).width;
  }
  ctx.restore();
}
const seconds = { x: { time: false } };
new uPlot({ title: "completed ops/s and errors/s", width, height: 260, scales: seconds, hooks: { drawAxes: [shade] },
  series: [{ label: "t (s)" }, { label: "ops/s", stroke: "#2457c5", width: 2 }, { label: "errors/s", stroke: "#b3261e", width: 2 }] },
  [tl.t, tl.opsPerSec, tl.errorsPerSec], document.getElementById("ops"));
new uPlot({ title: "p99 latency (ms), from each operation's due time", width, height: 220, scales: seconds, hooks: { drawAxes: [shade] },
  series: [{ label: "t (s)" }, { label: "p99 ms", stroke: "#7a3fb8", width: 2, spanGaps: false }] },
  [tl.t, tl.p99Ms], document.getElementById("lat"));
</script></body></html>
`;
}
