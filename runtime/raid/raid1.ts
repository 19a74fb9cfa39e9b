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

/** A file at each mirror's root that says the mirror belongs to the set: a blank (replaced) disk lacks it. */
export const MARKER = ".nonstop-mirror";

export interface MirrorStatus {
  name: string;
  path: string;
  state: MirrorState;
  /** Why it failed, when it did. */
  error?: string;
  /** Bad or missing records rewritten on this mirror from its twin. */
  repaired: number;
  /** While a replaced mirror is rebuilt: files copied so far, of how many. */
  rebuild?: { done: number; files: number };
}

export type RaidEvent =
  | { type: "raid.degraded"; mirror: string; error: string }
  | { type: "raid.restored"; mirror: string }
  | { type: "raid.repaired"; mirror: string; file: string; why: "checksum" | "missing" | "stale" }
  | { type: "raid.replaced"; mirror: string }
  | { type: "raid.rebuilt"; mirror: string; files: number; bytes: number; ms: number };

/** Which files a caller may verify or rebuild: on a shared disk, a file is rebuilt by the CPU that writes it. */
export type FileFilter = (file: string) => boolean;

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

  /** Re-probes failed mirrors now (the disk supervisor's tick), without the read path's rate limit. */
  restoreFailedNow(): Promise<void> {
    return this.degraded ? this.restoreFailed() : Promise.resolve();
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
    return this.appendMany(file, [payload]);
  }

  /** Appends several lines with one write and one sync per mirror (a group commit). */
  appendMany(file: string, payloads: string[]): Promise<void> {
    if (payloads.some((p) => p.includes("\n"))) throw new Error("raid: a journal entry is one line");
    const text = payloads.map(encodeLine).join("");
    return this.serial(file, async () => {
      await this.probeFailed();
      await this.onAll(`append ${file}`, (m) => syncWrite(join(m.path, file), text, "a"));
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
      // The copy with the most good lines is the base: a replaced or stale mirror holds
      // fewer (or only a suffix), and a flipped newline changes a copy's line count. A bad
      // line in the base is taken from a twin only when the twin is aligned with it (same
      // number of lines); otherwise the journal ends at the last good entry.
      const good = (c: (typeof copies)[number]) => c.lines.filter((l) => l !== undefined).length;
      const base = [...copies].sort((x, y) => good(y) - good(x) || y.lines.length - x.lines.length)[0];
      const merged: string[] = [];
      for (let i = 0; base && i < base.lines.length; i++) {
        const line = base.lines[i] ?? copies.filter((c) => c.lines.length === base.lines.length).map((c) => c.lines[i]).find((l) => l !== undefined);
        if (line === undefined) break;
        merged.push(line);
      }
      const text = merged.map(encodeLine).join("");
      for (const c of copies) if (c.text !== text) await this.repair(c.m, file, text, c.text === "" ? "missing" : c.lines.length < merged.length && c.lines.every((l) => l !== undefined) ? "stale" : "checksum");
      return merged;
    });
  }

  /** Marks a fresh disk set: when no mirror carries the marker yet, every usable one gets it. */
  async init(): Promise<void> {
    const marked = await Promise.all(this.mirrors.map((m) => hasMarker(m.path)));
    if (marked.some(Boolean)) return;
    await this.onAll("mark", (m) => syncWrite(join(m.path, MARKER), "nonstop-lab mirror\n", "w"));
  }

  /** Usable mirrors without the marker while a twin has it: replaced by a blank disk. */
  async replaced(): Promise<string[]> {
    const live = this.mirrors.filter((m) => m.state === "ok");
    const marked = await Promise.all(live.map((m) => hasMarker(m.path)));
    if (!marked.some(Boolean)) return [];
    return live.filter((_, i) => !marked[i]).map((m) => m.name);
  }

  /** Every file on the usable mirrors, less temporaries and the marker. */
  private async files(filter: FileFilter): Promise<string[]> {
    const files = new Set<string>();
    for (const m of this.mirrors.filter((x) => x.state === "ok")) for (const f of await listFiles(m.path)) files.add(f);
    return [...files].filter((f) => !f.endsWith(".tmp") && f !== MARKER && filter(f)).sort();
  }

  /** Reads every file, verified: each bad, missing or stale copy is repaired on the way. Returns bytes read. */
  async verify(filter: FileFilter = () => true, onFile?: (done: number, files: number) => void): Promise<{ files: number; bytes: number }> {
    const files = await this.files(filter);
    let bytes = 0;
    for (const [i, f] of files.entries()) {
      if (f.endsWith(".journal")) bytes += (await this.readJournal(f)).reduce((a, l) => a + l.length + 10, 0);
      else bytes += (await this.readFile(f))?.length ?? 0;
      onFile?.(i + 1, files.length);
    }
    return { files: files.length, bytes };
  }

  /**
   * Rebuilds a replaced mirror while the driver keeps serving: every file (that `filter`
   * admits) is read verified, which copies it onto the blank disk, then the mirror gets
   * the marker back. Only whole-file copies, each under its file's lock, so a write in
   * progress is never overtaken by an older copy.
   */
  async rebuild(mirror: string, filter: FileFilter = () => true): Promise<{ mirror: string; files: number; bytes: number; ms: number }> {
    const m = this.mirrors.find((x) => x.name === mirror);
    if (!m) throw new Error(`raid: no mirror ${mirror}`);
    this.onEvent({ type: "raid.replaced", mirror });
    const t0 = performance.now();
    m.rebuild = { done: 0, files: 0 };
    try {
      const { files, bytes } = await this.verify(filter, (done, n) => (m.rebuild = { done, files: n }));
      await syncWrite(join(m.path, MARKER), "nonstop-lab mirror\n", "w");
      const r = { mirror, files, bytes, ms: Math.round(performance.now() - t0) };
      this.onEvent({ type: "raid.rebuilt", ...r });
      return r;
    } finally {
      delete m.rebuild;
    }
  }

  /**
   * Brings back a failed mirror that is usable again, rebuilds a replaced one, and verifies
   * everything else. Returns what it checked, repaired and rebuilt.
   */
  async scrub(filter: FileFilter = () => true): Promise<{ checked: number; repaired: number; rebuilt: { mirror: string; files: number; bytes: number; ms: number }[] }> {
    await this.restoreFailed();
    const before = this.mirrors.reduce((a, m) => a + m.repaired, 0);
    const rebuilt = [];
    for (const mirror of await this.replaced()) rebuilt.push(await this.rebuild(mirror, filter));
    const { files } = await this.verify(filter);
    const repaired = this.mirrors.reduce((a, m) => a + m.repaired, 0) - before;
    return { checked: files, repaired, rebuilt };
  }
}

async function hasMarker(root: string): Promise<boolean> {
  return stat(join(root, MARKER)).then(
    () => true,
    () => false,
  );
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
      // No stat here: a temporary may be renamed away between readdir and stat while
      // writes go on, and temporaries are skipped anyway.
      else if (e.isFile() && !e.name.endsWith(".tmp")) out.push(relative(root, p));
    }
  }
  await walk(root);
  return out;
}
