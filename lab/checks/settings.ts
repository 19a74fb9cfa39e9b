// Arithmetic on a system's own settings, for thresholds that state a published rule
// instead of a number typed in twice: `failoverGap.max <= (DOWN_AFTER_MS + 5000) ms`
// reads DOWN_AFTER_MS from the scenario's `system.env`, so the band moves with the
// setting. Numbers, the settings by name, + - * / and parentheses, and the published
// rules below as functions. A setting that is not set, or not a number, is an error
// before the run, naming it and the settings there are.
import { UsageError } from "../errors.js";

/** The published rules a threshold can call, each with where it is from. */
export const RULES: Record<string, { args: string[]; source: string; fn: (...a: number[]) => number }> = {
  // RFC 3768 §6.1 (VRRPv2): Skew_Time = (256 − Priority) / 256 s; RFC 5798 §6.1 (VRRPv3):
  // Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256. Either way
  // Master_Down_Interval = 3 × the advert interval + Skew_Time, in seconds.
  vrrp: {
    args: ["version", "advert seconds", "backup priority"],
    source: "RFC 3768 §6.1 (v2), RFC 5798 §6.1 (v3): Master_Down_Interval",
    fn: (version, advert, priority) => 3 * advert + ((256 - priority) * (version === 3 ? advert : 1)) / 256,
  },
  min: { args: ["a", "b"], source: "", fn: (a, b) => Math.min(a, b) },
  max: { args: ["a", "b"], source: "", fn: (a, b) => Math.max(a, b) },
};

/** Evaluates an expression over the settings; `field` names where it was written, for errors. */
export function evaluate(expr: string, settings: Readonly<Record<string, string>>, field: string): number {
  const tokens = expr.match(/\d+(?:\.\d+)?|[A-Za-z_]\w*|[-+*/(),]|\S/g) ?? [];
  let at = 0;
  const fail = (why: string): never => {
    throw new UsageError(`${field}: in (${expr}): ${why}`);
  };
  const peek = () => tokens[at];
  const take = (want?: string) => {
    const t = tokens[at++];
    if (want !== undefined && t !== want) fail(`expected '${want}'${t === undefined ? " at the end" : `, not '${t}'`}`);
    return t;
  };
  const factor = (): number => {
    const t = take();
    if (t === undefined) return fail("it ends too soon");
    if (t === "-") return -factor();
    if (t === "(") {
      const v = sum();
      take(")");
      return v;
    }
    if (/^\d/.test(t)) return Number(t);
    if (!/^[A-Za-z_]/.test(t)) return fail(`'${t}' is not a number, a setting or a rule`);
    if (peek() === "(") {
      const rule = RULES[t];
      if (!rule) return fail(`no rule '${t}'; rules are ${Object.entries(RULES).map(([n, r]) => `${n}(${r.args.join(", ")})`).join(", ")}`);
      take("(");
      const args = [sum()];
      while (peek() === ",") {
        take(",");
        args.push(sum());
      }
      take(")");
      if (args.length !== rule.args.length) fail(`${t} takes ${rule.args.length} arguments (${rule.args.join(", ")}), not ${args.length}`);
      return rule.fn(...args);
    }
    const raw = settings[t];
    const names = Object.keys(settings);
    if (raw === undefined) return fail(`'${t}' is not set in system.env${names.length ? ` (it sets ${names.join(", ")})` : " (it sets nothing)"}; set it there, so the threshold and the system read the same value`);
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v)) fail(`${t} is '${raw}', not a number`);
    return v;
  };
  const product = (): number => {
    let v = factor();
    while (peek() === "*" || peek() === "/") v = take() === "*" ? v * factor() : v / factor();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === "+" || peek() === "-") v = take() === "+" ? v + product() : v - product();
    return v;
  };
  const v = sum();
  if (at < tokens.length) fail(`'${tokens[at] ?? ""}' was not expected there`);
  if (!Number.isFinite(v)) fail("it is not a finite number");
  return v;
}
