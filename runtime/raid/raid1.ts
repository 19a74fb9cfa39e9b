// The RAID-1 driver: the only way the runtime touches disk. Every record is written to
// both mirrors and synced before the write returns; every record carries a CRC-32; every
// read is verified and, when one copy is bad or missing, served from the other and the bad
// copy repaired. A mirror that refuses access is marked failed and the driver carries on,
// degraded, on the other; a scrub verifies everything and rebuilds what a mirror lacks.
import { crc32 } from "node:zlib";
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

export type MirrorState = "ok" | "failed";

export interface MirrorStatus {
  name: string;
  path: string;
  state: MirrorState;
  /** Why it failed, when it did. */
  error?: string;
  /** Bad or missing records rewritten on this mirror from its twin. */
  repaired: number;
}

export type RaidEvent =
  | { type: "raid.degraded"; mirror: string; error: string }
  | { type: "raid.restored"; mirror: string }
  | { type: "raid.repaired"; mirror: string; file: string; why: "checksum" | "missing" | "stale" }
  | { type: "raid.rebuilt"; mirror: string; files: number; bytes: number; ms: number };

const HEADER = /^nsr1 ([0-9a-f]{8}) (\d+) (\d+)\n/;

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

let lastGeneration = 0;

/**
 * A generation for a new record: microseconds of the (shared, host) clock, strictly
 * increasing within a process. Every CPU on the multiported disk writes with the same
 * clock, so the newest copy of a record is the one with the highest generation.
 */
export function nextGeneration(): number {
  lastGeneration = Math.max(lastGeneration + 1, Math.round((performance.timeOrigin + performance.now()) * 1000));
  return lastGeneration;
}

/** A whole-file record: a header line with CRC-32, length and generation, then the data. */
export function encodeRecord(data: Buffer, generation = nextGeneration()): Buffer {
  return Buffer.concat([Buffer.from(`nsr1 ${hex(crc32(data))} ${data.length} ${generation}\n`), data]);
}

export function decodeRecordFull(raw: Buffer): { data: Buffer; generation: number } | undefined {
  const head = HEADER.exec(raw.subarray(0, 60).toString("latin1"));
  if (!head?.[1] || !head[2] || !head[3]) return undefined;
  const data = raw.subarray(head[0].length);
  if (data.length !== Number(head[2]) || hex(crc32(data)) !== head[1]) return undefined;
  return { data, generation: Number(head[3]) };
}

export function decodeRecord(raw: Buffer): Buffer | undefined {
  return decodeRecordFull(raw)?.data;
}

/** Unique per write: CPUs share the disk, and must never rename one another's temporary file. */
function tmpName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

/** A journal line: CRC-32 of the payload, a space, the payload. */
export function encodeLine(payload: string): string {
  return `${hex(crc32(payload))} ${payload}\n`;
}

export function decodeLine(line: string): string | undefined {
  const payload = line.slice(9);
  return line.length > 9 && line[8] === " " && hex(crc32(payload)) === line.slice(0, 8) ? payload : undefined;
}

async function syncWrite(path: string, data: Buffer | string, flags: "w" | "a"): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, flags);
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export class Raid1 {
  private readonly mirrors: MirrorStatus[];
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    mirrors: { name: string; path: string }[],
    private readonly onEvent: (e: RaidEvent) => void = () => undefined,
  ) {
    this.mirrors = mirrors.map((m) => ({ ...m, state: "ok", repaired: 0 }));
  }

  status(): MirrorStatus[] {
    return this.mirrors.map((m) => ({ ...m }));
  }

  get degraded(): boolean {
    return this.mirrors.some((m) => m.state !== "ok");
  }

  private fail(m: MirrorStatus, err: unknown): void {
    if (m.state === "failed") return;
    m.state = "failed";
    m.error = err instanceof Error ? err.message : String(err);
    this.onEvent({ type: "raid.degraded", mirror: m.name, error: m.error });
  }

  /** Serializes operations on one file so appends keep their order on both mirrors. */
  private serial<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(file) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.chains.set(
      file,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Runs `fn` on every usable mirror; a mirror that errors is marked failed. Throws if none succeeded. */
  private async onAll(what: string, fn: (m: MirrorStatus) => Promise<void>): Promise<void> {
    const live = this.mirrors.filter((m) => m.state === "ok");
    const results = await Promise.allSettled(live.map(fn));
    let ok = 0;
    results.forEach((r, i) => {
      const m = live[i];
      if (!m) return;
      if (r.status === "fulfilled") ok++;
      else this.fail(m, r.reason);
    });
    if (ok === 0) throw new Error(`raid: ${what} failed on every mirror: ${this.mirrors.map((m) => `${m.name}: ${m.error ?? "?"}`).join("; ")}`);
  }

  /** Writes a whole record to both mirrors, synced, atomically replacing the old one. */
  writeFile(file: string, data: Buffer | string): Promise<void> {
    const rec = encodeRecord(Buffer.isBuffer(data) ? data : Buffer.from(data));
    return this.serial(file, () =>
      this.onAll(`write ${file}`, async (m) => {
        const p = join(m.path, file);
        const tmp = tmpName(p);
        await syncWrite(tmp, rec, "w");
        await rename(tmp, p);
      }),
    );
  }

  /**
   * Reads a record, verified. The newest good copy wins (highest generation), and any copy
   * that is bad, missing or older is repaired from it. Undefined if no mirror has it.
   */
  readFile(file: string): Promise<Buffer | undefined> {
    return this.serial(file, async () => {
      await this.probeFailed();
      const copies: { m: MirrorStatus; raw: Buffer | undefined; rec: ReturnType<typeof decodeRecordFull>; missing: boolean }[] = [];
      for (const m of this.mirrors.filter((x) => x.state === "ok")) {
        try {
          const raw = await readFile(join(m.path, file));
          copies.push({ m, raw, rec: decodeRecordFull(raw), missing: false });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") copies.push({ m, raw: undefined, rec: undefined, missing: true });
          else this.fail(m, err);
        }
      }
      let best: (typeof copies)[number] | undefined;
      for (const c of copies) if (c.rec && (!best?.rec || c.rec.generation > best.rec.generation)) best = c;
      if (!best?.rec || !best.raw) {
        if (copies.length === 0) throw new Error(`raid: read ${file}: no usable mirror`);
        return undefined;
      }
      for (const c of copies) {
        if (c !== best && (!c.rec || c.rec.generation < best.rec.generation)) {
          await this.repair(c.m, file, best.raw, c.missing ? "missing" : c.rec ? "stale" : "checksum");
        }
      }
      return best.rec.data;
    });
  }

  private lastProbe = 0;

  /** A failed mirror is tried again every couple of seconds: a repaired disk comes back on every CPU. */
  private async probeFailed(): Promise<void> {
    if (!this.degraded || Date.now() - this.lastProbe < 2000) return;
    this.lastProbe = Date.now();
    await this.restoreFailed();
  }

  /** Brings back every failed mirror that takes a synced write again. */
  private async restoreFailed(): Promise<void> {
    for (const m of this.mirrors.filter((x) => x.state === "failed")) {
      try {
        const probe = tmpName(join(m.path, ".probe"));
        await syncWrite(probe, "ok", "w");
        await unlink(probe);
        m.state = "ok";
        delete m.error;
        this.onEvent({ type: "raid.restored", mirror: m.name });
      } catch {
        // still failed
      }
    }
  }

  private async repair(m: MirrorStatus, file: string, raw: Buffer | string, why: "checksum" | "missing" | "stale"): Promise<void> {
    try {
      const p = join(m.path, file);
      const tmp = tmpName(p);
      await syncWrite(tmp, raw, "w");
      await rename(tmp, p);
      m.repaired++;
      this.onEvent({ type: "raid.repaired", mirror: m.name, file, why });
    } catch (err) {
      this.fail(m, err);
    }
  }

  /** Appends one checksummed line to a journal on both mirrors, synced. */
  append(file: string, payload: string): Promise<void> {
    if (payload.includes("\n")) throw new Error("raid: a journal entry is one line");
    const line = encodeLine(payload);
    return this.serial(file, async () => {
      await this.probeFailed();
      await this.onAll(`append ${file}`, (m) => syncWrite(join(m.path, file), line, "a"));
    });
  }

  /**
   * Reads a journal, verified line by line. The longest good copy wins, line by line: a
   * bad line on one mirror is taken from the other, and a mirror whose copy differs is
   * rewritten from the merged result.
   */
  readJournal(file: string): Promise<string[]> {
    return this.serial(file, async () => {
      const copies: { m: MirrorStatus; lines: (string | undefined)[]; text: string }[] = [];
      for (const m of this.mirrors.filter((x) => x.state === "ok")) {
        try {
          const text = await readFile(join(m.path, file), "utf8");
          copies.push({ m, text, lines: text.split("\n").filter((l) => l.length > 0).map(decodeLine) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") copies.push({ m, text: "", lines: [] });
          else this.fail(m, err);
        }
      }
      const n = Math.max(0, ...copies.map((c) => c.lines.length));
      const merged: string[] = [];
      for (let i = 0; i < n; i++) {
        const line = copies.map((c) => c.lines[i]).find((l) => l !== undefined);
        if (line === undefined) break; // every copy is bad here: the journal ends at the last good entry
        merged.push(line);
      }
      const text = merged.map(encodeLine).join("");
      for (const c of copies) if (c.text !== text) await this.repair(c.m, file, text, c.text === "" ? "missing" : "checksum");
      return merged;
    });
  }

  /**
   * Checks that a failed mirror is usable again; if so, brings it back and rebuilds it.
   * A wiped mirror is rebuilt the same way. Returns what the rebuild copied.
   */
  async scrub(): Promise<{ checked: number; repaired: number; rebuilt: { mirror: string; files: number; bytes: number; ms: number }[] }> {
    const rebuilt: { mirror: string; files: number; bytes: number; ms: number }[] = [];
    await this.restoreFailed();
    const before = this.mirrors.reduce((a, m) => a + m.repaired, 0);
    const files = new Set<string>();
    for (const m of this.mirrors.filter((x) => x.state === "ok")) for (const f of await listFiles(m.path)) files.add(f);
    const t0 = performance.now();
    let bytes = 0;
    for (const f of files) {
      if (f.endsWith(".tmp")) continue;
      if (f.endsWith(".journal")) bytes += (await this.readJournal(f)).reduce((a, l) => a + l.length + 10, 0);
      else bytes += (await this.readFile(f))?.length ?? 0;
    }
    const repaired = this.mirrors.reduce((a, m) => a + m.repaired, 0) - before;
    if (repaired > 0) {
      const ms = Math.round(performance.now() - t0);
      for (const m of this.mirrors) {
        const e = { type: "raid.rebuilt" as const, mirror: m.name, files: files.size, bytes, ms };
        if (m.repaired > 0) {
          rebuilt.push({ mirror: m.name, files: files.size, bytes, ms });
          this.onEvent(e);
        }
      }
    }
    return { checked: files.size, repaired, rebuilt };
  }
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await stat(p)).size >= 0) out.push(relative(root, p));
    }
  }
  await walk(root);
  return out;
}
