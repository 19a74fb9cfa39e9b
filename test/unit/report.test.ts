import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availability } from "../../lab/checks/index.js";
import { markdownTable } from "../../bench/table.js";
import { HistoryRecorder, loadHistory } from "../../lab/history/recorder.js";
import { renderHtml } from "../../lab/report/html.js";
import { ringSvg } from "../../lab/report/ring.js";
import { timelineOf } from "../../lab/report/timeseries.js";
import { junitXml } from "../../lab/report/write.js";
import type { ScenarioResult } from "../../lab/scenario/result.js";

async function sampleHistory(file?: string): Promise<HistoryRecorder> {
  const rec = new HistoryRecorder();
  if (file) await rec.streamTo(file);
  rec.add({ type: "phase", phase: "faults" }, 0);
  for (let i = 0; i < 40; i++) {
    const t = i * 50_000;
    rec.add({ type: "invoke", process: i, f: "get" }, t);
    rec.add(i >= 10 && i < 20 ? { type: "fail", process: i, f: "get", latency: 1000, error: "ECONNREFUSED" } : { type: "ok", process: i, f: "get", latency: 2000, node: "cpu-0" }, t + 2000);
    if (i === 10) rec.add({ type: "fault", event: "inject", id: "f1", kind: "cpu.kill", description: "cpu.kill cpu-0" }, t);
    if (i === 20) rec.add({ type: "fault", event: "heal", id: "f1", kind: "cpu.kill", description: "cpu.kill cpu-0" }, t);
  }
  await rec.close();
  return rec;
}

describe("history files", () => {
  it("stream to JSONL as they are recorded and reload to the same entries, for offline checks", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "nonstop-")), "history.jsonl");
    const rec = await sampleHistory(file);
    const back = await loadHistory(file);
    expect(back).toEqual(rec.entries);
    expect(availability.run(back)).toEqual(availability.run(rec.entries));
  });
});

describe("reports", () => {
  it("buckets the timeline and marks the fault window", async () => {
    const tl = timelineOf((await sampleHistory()).entries, 250);
    expect(tl.faults).toEqual([{ label: "cpu.kill cpu-0", start: 0.5, end: 1 }]);
    expect(Math.max(...tl.errorsPerSec)).toBeGreaterThan(0);
    expect(tl.t.length).toBe(tl.opsPerSec.length);
  });

  it("writes a self-contained HTML page with the chart code inlined, the checks and the seed", async () => {
    const history = (await sampleHistory()).entries;
    const r: ScenarioResult = {
      name: "probe",
      claim: "a <claim>",
      seed: 4242,
      lab: "scn-probe",
      expect: { fail: [] },
      status: "failed",
      ok: false,
      unexpected: [],
      held: [],
      summary: "probe: failed",
      checks: [{ name: "availability", ...availability.run(history) }],
      thresholds: [{ text: "availability.overall >= 99%", check: "availability", figure: "overall", op: ">=", unit: "%", limit: 99, actual: 75, passed: false }],
      steady: { before: [], after: [] },
      faults: [],
      startedAt: new Date(0).toISOString(),
      wallMs: 1000,
      history,
    };
    const html = renderHtml(r);
    expect(html).toContain("uPlot");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
    expect(html).toContain("4242");
    expect(html).toContain("cpu.kill cpu-0");
    expect(html).toContain("a &lt;claim&gt;");
    expect(html).toMatch(/availability\.overall &gt;= 99%: FAILED \(75%\)/);

    const xml = junitXml([r]);
    expect(xml).toMatch(/<testcase classname="scenario.probe" name="probe \(expected to pass\)">\s*<failure message="did not hold: probe: failed"/);
  });
});

describe("a cycle in the report", () => {
  it("draws each transaction once and each step as an arrow, the anti-dependency marked", () => {
    const svg = ringSvg({ title: "G-single: <lost update>", nodes: ["T0", "T1"], edges: [{ label: "ww x 2" }, { label: "rw x 1", emphasis: true }] }, "r0");
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/<path d="M[\d.]+ [\d.]+ Q/g)).toHaveLength(2);
    expect(svg).toContain(">T0</text>");
    expect(svg).toContain(">ww x 2</text>");
    expect(svg).toMatch(/stroke-dasharray="6 4" marker-end="url\(#r0-hot\)"\/><text[^>]*>rw x 1</);
    expect(svg).toContain("G-single: &lt;lost update&gt;");
    // The two steps of a two-transaction cycle bow apart instead of lying on one line.
    const bends = [...svg.matchAll(/ Q([\d.]+) /g)].map((m) => Number(m[1]));
    expect(bends).toHaveLength(2);
    expect(Math.abs((bends[0] ?? 0) - (bends[1] ?? 0))).toBeGreaterThan(50);
  });

  it("is drawn under the check whose verdict found it", async () => {
    const history = (await sampleHistory()).entries;
    const anomaly = { title: "G-single: read skew", nodes: ["T3", "T5", "T8"], edges: [{ label: "wr x 1" }, { label: "ww y 2" }, { label: "rw x 4", emphasis: true }] };
    const r: ScenarioResult = {
      name: "probe", claim: "", seed: 1, lab: "l", expect: { fail: [] }, status: "failed", ok: false, unexpected: [], held: [], summary: "",
      checks: [{ name: "listAppend", valid: false, figures: { anomalies: 1 }, anomalies: [], cycles: [anomaly, { ...anomaly, title: "second" }] }],
      thresholds: [], steady: { before: [], after: [] }, faults: [], startedAt: new Date(0).toISOString(), wallMs: 1, history,
    };
    const html = renderHtml(r);
    expect(html.match(/<figure class="ring">/g)).toHaveLength(2);
    expect(html).toContain('id="ring-0-0-hot"');
    expect(html).toContain('id="ring-0-1-hot"');
  });
});

describe("the bench table", () => {
  it("has a row per summarised figure, and flags a spread over 2×", () => {
    const md = markdownTable({ cores: 2, memoryGiB: 24, node: "v20", at: "t", smoke: false }, [
      { bench: "takeover", cores: 2, at: "t", killToTakeover: { n: 20, median: 160, p99: 230, min: 120, max: 230, unit: "ms" }, phases: { detect: { n: 20, median: 130, p99: 400, min: 90, max: 400, unit: "ms" } }, kills: 20 },
    ]);
    expect(md).toContain("| takeover.killToTakeover | 20 | 160 | 230 | 120 | 230 | ms |  |");
    expect(md).toContain("| takeover.phases.detect | 20 | 130 | 400 | 90 | 400 | ms | 4.4× |");
  });
});
