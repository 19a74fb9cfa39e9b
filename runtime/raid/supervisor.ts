// The disk supervisor: the background half of the RAID-1 driver. Every CPU shares the
// mirrors, but a file is repaired or rebuilt only by the CPU that writes it (the primary of
// the pair that owns it), so a background copy can never overtake a write in progress on
// another CPU. Everything else on the disk is the membership coordinator's to look after.
import type { Raid1 } from "./raid1.js";

export interface DiskSupervisorDeps {
  raid: Raid1;
  /** The services this CPU is the primary of, now. */
  primaryOf: () => string[];
  /** Every service's name: files of other services are their primaries' to repair. */
  services: string[];
  /** Whether this CPU coordinates the current (quorate) view. */
  coordinator: () => boolean;
  /** How often to look for a replaced mirror (and re-probe a failed one). */
  checkMs?: number;
  /** How often to verify every owned file in the background. */
  verifyMs?: number;
}

/** The pair files of `service` live under pairs/<service>.*. */
function serviceOf(file: string, services: string[]): string | undefined {
  return services.find((s) => file.startsWith(`pairs/${s}.`));
}

export class DiskSupervisor {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private lastVerify = Date.now();

  constructor(private readonly d: DiskSupervisorDeps) {}

  /** The files this CPU may repair right now. */
  owned(): (file: string) => boolean {
    const mine = new Set(this.d.primaryOf());
    const coordinator = this.d.coordinator();
    return (file) => {
      const s = serviceOf(file, this.d.services);
      return s ? mine.has(s) : coordinator;
    };
  }

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.d.checkMs ?? 1000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    const owns = this.d.primaryOf().length > 0 || this.d.coordinator();
    if (!owns) return;
    this.busy = true;
    try {
      await this.d.raid.restoreFailedNow();
      for (const mirror of await this.d.raid.replaced()) await this.d.raid.rebuild(mirror, this.owned());
      if (Date.now() - this.lastVerify >= (this.d.verifyMs ?? 5000)) {
        this.lastVerify = Date.now();
        await this.d.raid.verify(this.owned());
      }
    } catch {
      // A mirror error is already an event (raid.degraded); try again next tick.
    } finally {
      this.busy = false;
    }
  }
}
