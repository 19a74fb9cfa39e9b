// Thresholds computed from a system's settings, and bands: the published window is stated
// once, as the rule, and follows the settings a scenario gives its system.
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../lab/checks/index.js";
import { judge, parseThreshold } from "../../lab/checks/thresholds.js";
import { evaluate } from "../../lab/checks/settings.js";
import type { Check } from "../../lab/checks/types.js";
import { UsageError } from "../../lab/errors.js";
import { describeThreshold, summarize } from "../../lab/scenario/result.js";

const checks = ["failoverGap", "lostWrites"].map((n) => CHECKS[n]).filter((c): c is Check => c !== undefined);
const vrrp = "failoverGap.max within [(vrrp(VRRP_VERSION, ADVERT_INT, BACKUP_PRIORITY) - ADVERT_INT) s, (vrrp(VRRP_VERSION, ADVERT_INT, BACKUP_PRIORITY) + 0.15) s]";
const gap = (ms: number) => ({ valid: true, figures: { max: ms }, anomalies: [] });

describe("thresholds from a system's settings", () => {
  it("computes VRRP's Master_Down_Interval as RFC 5798 (v3) and RFC 3768 (v2) give it", () => {
    // 3 × 0.1 + (256 − 90) × 0.1 / 256 = 0.3648 s; 3 × 1 + (256 − 90) / 256 = 3.648 s.
    expect(evaluate("vrrp(3, 0.1, 90)", {}, "f")).toBeCloseTo(0.36484, 4);
    expect(evaluate("vrrp(2, 1, 90)", {}, "f")).toBeCloseTo(3.64844, 4);
    expect(evaluate("vrrp(2, 0.1, 90)", {}, "f")).toBeCloseTo(0.94844, 4);
  });

  it("a band follows the settings: the same threshold at advert 1 and at 0.1", () => {
    const slow = parseThreshold(vrrp, "t", checks, { VRRP_VERSION: "2", ADVERT_INT: "1", BACKUP_PRIORITY: "90" });
    expect([slow.limit, slow.upper]).toEqual([2648.438, 3798.438]);
    const fast = parseThreshold(vrrp, "t", checks, { VRRP_VERSION: "3", ADVERT_INT: "0.1", BACKUP_PRIORITY: "90" });
    expect([fast.limit, fast.upper]).toEqual([264.844, 514.844]);
    expect(judge(fast, gap(352)).passed).toBe(true);
    // Both ends hold: a takeover faster than the rule allows is as wrong as a slow one.
    expect(judge(fast, gap(200)).passed).toBe(false);
    expect(judge(fast, gap(600)).passed).toBe(false);
    expect(describeThreshold(judge(fast, gap(352)))).toMatch(/: passed \(352ms; band 264\.844\.\.514\.844ms\)$/);
  });

  it("plain arithmetic on the settings, in the figure's unit", () => {
    const t = parseThreshold("failoverGap.max <= (DOWN_AFTER_MS + 5000) ms", "t", checks, { DOWN_AFTER_MS: "30000" });
    expect(t.limit).toBe(35000);
    expect(parseThreshold("lostWrites.lost <= (RATE * (LAG + 1))", "t", checks, { RATE: "20", LAG: "10" }).limit).toBe(220);
  });

  it("refuses a setting the scenario does not give, naming those it does", () => {
    expect(() => parseThreshold("failoverGap.max <= (TTL + LOOP_WAIT) s", "thresholds[0]", checks, { TTL: "30" })).toThrow(
      new UsageError("thresholds[0]: in (TTL + LOOP_WAIT): 'LOOP_WAIT' is not set in system.env (it sets TTL); set it there, so the threshold and the system read the same value"),
    );
    expect(() => parseThreshold("failoverGap.max <= (TTL) s", "t", checks, { TTL: "thirty" })).toThrow(/TTL is 'thirty', not a number/);
    expect(() => parseThreshold("failoverGap.max <= (nope(1)) s", "t", checks)).toThrow(/no rule 'nope'; rules are vrrp\(version, advert seconds, backup priority\)/);
    expect(() => parseThreshold("failoverGap.max <= (vrrp(1, 2)) s", "t", checks)).toThrow(/vrrp takes 3 arguments/);
    expect(() => parseThreshold("failoverGap.max <= (1 +) s", "t", checks)).toThrow(/it ends too soon/);
  });

  it("a rule with two outcomes has a band per case, and the result names the case that held", () => {
    // Sentinel: a first vote, or a split vote retried after 2 × failover-timeout.
    const env = { DOWN_AFTER_MS: "1000", FAILOVER_TIMEOUT_MS: "3000" };
    const t = parseThreshold("failoverGap.max within first [(DOWN_AFTER_MS - 1000) ms, (DOWN_AFTER_MS + 4000) ms] or retried [(DOWN_AFTER_MS + 2 * FAILOVER_TIMEOUT_MS - 1000) ms, (DOWN_AFTER_MS + 2 * FAILOVER_TIMEOUT_MS + 5000) ms]", "t", checks, env);
    expect(t.cases).toEqual([
      { name: "first", low: 0, high: 5000 },
      { name: "retried", low: 6000, high: 12000 },
    ]);
    expect(judge(t, gap(1500))).toMatchObject({ passed: true, held: "first" });
    expect(judge(t, gap(7800))).toMatchObject({ passed: true, held: "retried" });
    // Between the cases is neither: no rule of Sentinel's gives 5.5 s.
    expect(judge(t, gap(5500)).passed).toBe(false);
    expect(judge(t, gap(5500)).held).toBeUndefined();
    expect(describeThreshold(judge(t, gap(7800)))).toMatch(/: passed \(7800ms; the case 'retried' of first 0\.\.5000ms, retried 6000\.\.12000ms\)$/);
    expect(describeThreshold(judge(t, gap(5500)))).toMatch(/: FAILED \(5500ms; no case of first/);
    // A passing run's one line says which branch of the rule the system took.
    const passed = { name: "kill", status: "passed" as const, expect: { fail: [] }, checks: [], steady: { before: [], after: [] }, unexpected: [], held: [] };
    expect(summarize({ ...passed, thresholds: [judge(t, gap(7800))] })).toContain("every check and threshold passed (failoverGap.max 7800ms: the case 'retried')");
    // Unnamed cases are numbered.
    expect(parseThreshold("failoverGap.max within [1s, 2s] or [3s, 4s]", "t", checks).cases?.map((c) => c.name)).toEqual(["band 1", "band 2"]);
    expect(() => parseThreshold("failoverGap.max within a [1s, 2s] or a [3s, 4s]", "t", checks)).toThrow(/names the case 'a' twice/);
    expect(() => parseThreshold("failoverGap.max within [1s, 2s] or 3s", "t", checks)).toThrow(/one per case/);
  });

  it("refuses a band that is not one, and a unit that is not the figure's", () => {
    expect(() => parseThreshold("failoverGap.max within 2s", "t", checks)).toThrow(/a band is written "within \[low, high\]"/);
    expect(() => parseThreshold("failoverGap.max within [4s, 2s]", "t", checks)).toThrow(/the band .* is empty/);
    expect(() => parseThreshold("failoverGap.max within [2, 4s]", "t", checks)).toThrow(/is a time \(ms, s or us\), but .* gives a plain count/);
    expect(parseThreshold("failoverGap.max within [2s, 4000ms]", "t", checks)).toMatchObject({ op: "within", limit: 2000, upper: 4000 });
  });
});
