// Toxics as a discriminated union keyed on `type`, in the lab's units (ms, KB/s, bytes),
// so a toxic's attributes can never disagree with its kind. Translated to Toxiproxy's
// wire attributes in one place.

export type Stream = "upstream" | "downstream";

export type ToxicKind =
  | { type: "latency"; latencyMs: number; jitterMs?: number }
  | { type: "bandwidth"; rateKBps: number }
  /** Black hole: stops data, closes after timeoutMs (0 = never, until healed). */
  | { type: "timeout"; timeoutMs: number }
  /** TCP RST, at once or after timeoutMs. */
  | { type: "reset_peer"; timeoutMs: number }
  | { type: "slicer"; averageSize: number; sizeVariation: number; delayUs: number }
  | { type: "limit_data"; bytes: number }
  | { type: "slow_close"; delayMs: number };

export type ToxicType = ToxicKind["type"];

export type ToxicSpec = ToxicKind & {
  /** Defaults to `<type>_<stream>`, Toxiproxy's own convention. */
  name?: string;
  /** upstream = client to server; downstream = server to client (the default). */
  stream?: Stream;
  /** Share of connections affected, 0..1. */
  toxicity?: number;
};

export const TOXIC_TYPES: readonly ToxicType[] = ["latency", "bandwidth", "timeout", "reset_peer", "slicer", "limit_data", "slow_close"];

export function isToxicType(t: string): t is ToxicType {
  return (TOXIC_TYPES as readonly string[]).includes(t);
}

export interface WireToxic {
  name: string;
  type: ToxicType;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

export function wireAttributes(t: ToxicKind): Record<string, number> {
  switch (t.type) {
    case "latency":
      return { latency: t.latencyMs, jitter: t.jitterMs ?? 0 };
    case "bandwidth":
      return { rate: t.rateKBps };
    case "timeout":
      return { timeout: t.timeoutMs };
    case "reset_peer":
      return { timeout: t.timeoutMs };
    case "slicer":
      return { average_size: t.averageSize, size_variation: t.sizeVariation, delay: t.delayUs };
    case "limit_data":
      return { bytes: t.bytes };
    case "slow_close":
      return { delay: t.delayMs };
  }
}

export function toWire(spec: ToxicSpec): WireToxic {
  const stream = spec.stream ?? "downstream";
  return {
    name: spec.name ?? `${spec.type}_${stream}`,
    type: spec.type,
    stream,
    toxicity: spec.toxicity ?? 1,
    attributes: wireAttributes(spec),
  };
}
