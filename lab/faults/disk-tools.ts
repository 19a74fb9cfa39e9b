// Disk faults act on a mirror's data from a short-lived helper container that mounts the
// mirror's volume (the cpu image, no network). That works whether or not any CPU is up,
// and touches the disk the way a failing device would: under every CPU at once.
import { dockerName } from "../docker/plumbing.js";
import { LabError } from "../errors.js";
import type { FaultContext } from "./context.js";

// Runs inside the helper: flips `n` bytes at seeded random offsets of the mirror's files
// and prints what it changed, so the heal can put every byte back.
const CORRUPT = `
const fs = require("node:fs"), path = require("node:path");
const [dir, n, seed] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let s = seed >>> 0;
const rand = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const files = [];
(function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.isFile()) { const size = fs.statSync(p).size; if (size > 0) files.push({ p, size }); } } })(dir);
const total = files.reduce((a, f) => a + f.size, 0);
if (total === 0) { console.error("no data"); process.exit(3); }
const flips = [];
for (let i = 0; i < n; i++) {
  let at = Math.floor(rand() * total), f = files[0];
  for (const x of files) { if (at < x.size) { f = x; break; } at -= x.size; }
  const fd = fs.openSync(f.p, "r+"); const b = Buffer.alloc(1); fs.readSync(fd, b, 0, 1, at);
  const old = b[0]; b[0] = old ^ (1 + Math.floor(rand() * 255)); fs.writeSync(fd, b, 0, 1, at); fs.fsyncSync(fd); fs.closeSync(fd);
  flips.push({ file: path.relative(dir, f.p), offset: at, old, now: b[0] });
}
console.log(JSON.stringify(flips));
`;

// Puts recorded bytes back, last flip first (the same byte may have been flipped twice),
// but only where the flipped byte is still there: the RAID may have repaired or rewritten
// the file since, and an old byte written into new data would be corruption of its own.
const RESTORE = `
const fs = require("node:fs"), path = require("node:path");
const dir = process.argv[1], flips = JSON.parse(process.argv[2]);
for (const f of flips.reverse()) {
  let fd; try { fd = fs.openSync(path.join(dir, f.file), "r+"); } catch { continue; }
  const b = Buffer.alloc(1); fs.readSync(fd, b, 0, 1, f.offset);
  if (f.now === undefined || b[0] === f.now) { fs.writeSync(fd, Buffer.from([f.old]), 0, 1, f.offset); fs.fsyncSync(fd); }
  fs.closeSync(fd);
}
`;

async function tool(ctx: FaultContext, id: string, op: string, mounts: { volume: string; target: string }[], entrypoint: string[]): Promise<string> {
  const r = await ctx.plumbing.container.runOnce({
    lab: ctx.lab,
    role: "tool",
    name: `tool-${id}-${op}`,
    image: ctx.toolImage,
    entrypoint,
    networks: [{ network: "none" }],
    mounts,
    timeoutMs: 120_000,
  });
  if (r.exitCode === 3) throw new LabError(`disk ${op}: the mirror holds no data yet, so there is nothing to ${op}`);
  if (r.exitCode !== 0) throw new LabError(`disk ${op} failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}`);
  return r.stdout;
}

const mirrorMount = (ctx: FaultContext, mirror: string) => ({ volume: dockerName(ctx.lab, mirror), target: "/m" });

export interface Flip {
  file: string;
  offset: number;
  old: number;
  now?: number;
}

export async function corrupt(ctx: FaultContext, id: string, mirror: string, bytes: number, seed: number): Promise<Flip[]> {
  const out = await tool(ctx, id, "corrupt", [mirrorMount(ctx, mirror)], ["node", "-e", CORRUPT, "/m", String(bytes), String(seed)]);
  return JSON.parse(out) as Flip[];
}

export async function restoreBytes(ctx: FaultContext, id: string, mirror: string, flips: Flip[]): Promise<void> {
  await tool(ctx, id, "restore", [mirrorMount(ctx, mirror)], ["node", "-e", RESTORE, "/m", JSON.stringify(flips)]);
}

/** Moves the mirror's contents to a labelled backup volume, leaving a blank disk. */
export async function wipe(ctx: FaultContext, id: string, mirror: string): Promise<string> {
  const backup = await ctx.plumbing.volume.create({ lab: ctx.lab, role: "disk", name: `fault-${id}-backup` });
  await tool(ctx, id, "wipe", [mirrorMount(ctx, mirror), { volume: backup.volumeName, target: "/b" }], [
    "bash",
    "-c",
    // The CPUs keep writing while the disk is swapped (a RAID write's temporary file can
    // appear in a folder being emptied), so the delete goes round until the disk is blank.
    "cp -a /m/. /b/ && for i in 1 2 3 4 5; do find /m -mindepth 1 -delete 2>/dev/null && exit 0; sleep 0.05; done; find /m -mindepth 1 -delete",
  ]);
  return backup.volumeName;
}

/**
 * Puts back every file the blank disk still lacks, never over one the RAID has rebuilt or
 * written since: those are newer than the old disk's copy.
 */
export async function unwipe(ctx: FaultContext, id: string, mirror: string, backupVolume: string): Promise<void> {
  await tool(ctx, id, "unwipe", [mirrorMount(ctx, mirror), { volume: backupVolume, target: "/b" }], ["cp", "-a", "-n", "/b/.", "/m/"]);
  await ctx.plumbing.volume.remove(backupVolume);
}

/** chmod 000 on the mirror's root; returns the mode it had. CPUs drop DAC_OVERRIDE, so this binds them. */
export async function failDisk(ctx: FaultContext, id: string, mirror: string): Promise<string> {
  const out = await tool(ctx, id, "fail", [mirrorMount(ctx, mirror)], ["bash", "-c", "stat -c %a /m && chmod 000 /m"]);
  return out.trim() || "755";
}

export async function unfailDisk(ctx: FaultContext, id: string, mirror: string, mode: string): Promise<void> {
  await tool(ctx, id, "unfail", [mirrorMount(ctx, mirror)], ["chmod", mode, "/m"]);
}
