// Disk faults: one RAID-1 mirror corrupted, wiped (replaced by a blank disk) or failed.
import { z } from "zod";
import type { Topology } from "../../topology/types.js";
import { corrupt, failDisk, restoreBytes, unfailDisk, unwipe, wipe } from "../disk-tools.js";
import { HEALED, kind, need, num, oneOf } from "./kind.js";

const mirror = z.string();
const checkMirror = (f: { mirror: string }, t: Topology, at: string) => oneOf(`${at}.mirror`, "mirror", f.mirror, t.disks.map((d) => d.name));
const target = (i: { target: string | undefined }) => need("the mirror (e.g. mirror-a)", i.target);

export const diskFaults = {
  "disk.corrupt": kind({
    schema: z.object({ kind: z.literal("disk.corrupt"), mirror, bytes: z.number().int().min(1, "at least 1"), seed: z.number().int() }).strict(),
    summary: "flip --bytes random bytes (seeded by --seed) in one mirror's data",
    describe: (f) => `disk.corrupt ${f.mirror} ${f.bytes} bytes`,
    check: checkMirror,
    cli: { parse: (i) => ({ kind: "disk.corrupt", mirror: target(i), bytes: num("bytes", i.flags.bytes, 16), seed: num("seed", i.flags.seed, 1) }) },
    // The heal puts the very bytes back: the flips are recorded with the fault.
    apply: async (f, id, ctx) => ({ flips: await corrupt(ctx, id, f.mirror, f.bytes, f.seed) }),
    revert: async (f, undo, id, ctx) => {
      await restoreBytes(ctx, id, f.mirror, undo.flips);
      return HEALED;
    },
  }),

  "disk.wipe": kind({
    schema: z.object({ kind: z.literal("disk.wipe"), mirror }).strict(),
    summary: "replace one mirror with a blank disk",
    describe: (f) => `disk.wipe ${f.mirror}`,
    check: checkMirror,
    cli: { parse: (i) => ({ kind: "disk.wipe", mirror: target(i) }) },
    apply: async (f, id, ctx) => ({ backupVolume: await wipe(ctx, id, f.mirror) }),
    revert: async (f, undo, id, ctx) => {
      await unwipe(ctx, id, f.mirror, undo.backupVolume);
      return HEALED;
    },
  }),

  "disk.fail": kind({
    schema: z.object({ kind: z.literal("disk.fail"), mirror }).strict(),
    summary: "make one mirror unusable to every CPU (permission denied on every access)",
    describe: (f) => `disk.fail ${f.mirror}`,
    check: checkMirror,
    cli: { parse: (i) => ({ kind: "disk.fail", mirror: target(i) }) },
    apply: async (f, id, ctx) => ({ mode: await failDisk(ctx, id, f.mirror) }),
    revert: async (f, undo, id, ctx) => {
      await unfailDisk(ctx, id, f.mirror, undo.mode);
      return HEALED;
    },
  }),
};
