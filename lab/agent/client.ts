// The lab's one client for a CPU's agent: every reply parsed with the agent's own schemas
// (runtime/agent/api.ts), so a change on one side fails loudly on the other instead of
// being re-typed by hand. Reached through the CPU's port published on 127.0.0.1; the
// address is looked up on each call, since a restarted container gets a new port.
import type { z } from "zod";
import { CrashReply, DivergeReply, EventsReply, HealthReply, MemoryReply, RuntimeReply, ScrubReply, ServiceStateReply } from "../../runtime/agent/api.js";
import type { CrashStep } from "../../runtime/pairs/crash.js";
import { httpGet } from "../util/http.js";

function parsed<S extends z.ZodType>(schema: S, what: string, r: { status: number; body: string }): z.infer<S> {
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 200)}`);
  const out = schema.safeParse(JSON.parse(r.body));
  if (!out.success) throw new Error(`${what}: the agent's reply does not match its schema: ${out.error.issues[0]?.message ?? "invalid"}`);
  return out.data;
}

export class AgentClient {
  constructor(
    readonly cpu: string,
    private readonly url: () => Promise<string>,
  ) {}

  private async get<S extends z.ZodType>(schema: S, path: string, timeoutMs: number): Promise<z.infer<S>> {
    return parsed(schema, `${this.cpu} ${path}`, await httpGet(`${await this.url()}${path}`, timeoutMs));
  }

  private async call<S extends z.ZodType>(schema: S, method: "POST" | "DELETE", path: string): Promise<z.infer<S>> {
    const r = await fetch(`${await this.url()}${path}`, { method });
    return parsed(schema, `${this.cpu} refused ${method} ${path}`, { status: r.status, body: await r.text() });
  }

  health(timeoutMs = 1000): Promise<HealthReply> {
    return this.get(HealthReply, "/health", timeoutMs);
  }

  /** Membership, mirrors and pair roles as this CPU sees them. */
  runtime(timeoutMs = 1000): Promise<RuntimeReply> {
    return this.get(RuntimeReply, "/runtime", timeoutMs);
  }

  /** Events after `since` of boot `boot` (everything held, after a reboot). */
  events(since: number, boot: string, timeoutMs = 400): Promise<EventsReply> {
    return this.get(EventsReply, `/events?since=${since}&boot=${boot}`, timeoutMs);
  }

  serviceState(service: string, timeoutMs = 1000): Promise<ServiceStateReply> {
    return this.get(ServiceStateReply, `/services/${encodeURIComponent(service)}/state`, timeoutMs);
  }

  /** Verifies (and repairs, and rebuilds) the files this CPU writes; on a big disk, minutes. */
  scrub(timeoutMs = 120_000): Promise<ScrubReply> {
    return this.get(ScrubReply, "/raid/scrub", timeoutMs);
  }

  /** The fault hooks (lab/faults/kinds/): memory pressure, crash points, a divergent replica. */
  holdMemory(id: string, mb: number): Promise<unknown> {
    return this.call(MemoryReply, "POST", `/faults/memory?id=${id}&mb=${mb}`);
  }

  releaseMemory(id: string): Promise<unknown> {
    return this.call(MemoryReply, "DELETE", `/faults/memory?id=${id}`);
  }

  armCrash(id: string, service: string, step: CrashStep): Promise<z.infer<typeof CrashReply>> {
    return this.call(CrashReply, "POST", `/faults/crash?id=${id}&service=${encodeURIComponent(service)}&step=${step}`);
  }

  disarmCrash(id: string): Promise<z.infer<typeof CrashReply>> {
    return this.call(CrashReply, "DELETE", `/faults/crash?id=${id}`);
  }

  diverge(id: string): Promise<unknown> {
    return this.call(DivergeReply, "POST", `/faults/diverge?id=${id}`);
  }

  undiverge(id: string): Promise<unknown> {
    return this.call(DivergeReply, "DELETE", `/faults/diverge?id=${id}`);
  }
}
