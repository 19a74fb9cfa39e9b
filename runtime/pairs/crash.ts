// Crash points: the transaction crash sweep kills a primary at an exact step of a commit,
// which no outside kill can time. Armed by the fault injector (agent /faults/crash), a
// point fires once, on the first commit of that service to reach it, and takes the whole
// CPU down (the agent is the container's process), so it is a CPU failure at that moment.

/**
 * The steps of a commit, in order (./pair.ts), and one step of a service's own: "mid-data",
 * while an SMTP message's body is still arriving (../services/mail.ts).
 */
export const CRASH_STEPS = ["before-journal", "after-journal", "after-commit", "before-ack", "mid-data"] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

export class CrashPoints {
  private readonly armed = new Map<string, { service: string; step: CrashStep }>();

  constructor(private readonly die: (why: string) => void) {}

  arm(id: string, service: string, step: CrashStep): void {
    this.armed.set(id, { service, step });
  }

  disarm(id: string): boolean {
    return this.armed.delete(id);
  }

  list(): { id: string; service: string; step: CrashStep }[] {
    return [...this.armed].map(([id, a]) => ({ id, ...a }));
  }

  /** Called by a pair at each step of a commit. */
  reached(service: string, step: CrashStep): void {
    for (const [id, a] of this.armed) {
      if (a.service === service && a.step === step) {
        this.armed.delete(id);
        this.die(`crash point ${id}: ${service} ${step}`);
      }
    }
  }
}
