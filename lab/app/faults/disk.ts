// Disk faults on a user's volumes, from a helper that mounts the target's volumes at the
// same paths (`volumes_from`): the path must be on a volume or bind mount, which is where
// a service keeps what it must not lose.
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { HEALED, num } from "../../faults/kinds/kind.js";
import { runIn } from "../helper.js";
import { select } from "../system.js";
import { appKind, healTargets, needTarget, targets } from "./kind.js";

const absPath = z.string().regex(/^\/[\w./@+-]*$/, "an absolute path of letters, digits and ._/@+-");
/** A fill larger than this needs --mb: a volume on the host's own disk would fill the host. */
const FILL_ALL_LIMIT_MB = 4096;

const onVolume = (t: string) =>
  `mnt=$(df --output=target "$P" 2>/dev/null | tail -1); if [ -z "$mnt" ] || [ "$mnt" = / ]; then echo "--path: $P is not on a volume or bind mount of ${t}" >&2; exit 3; fi`;

function needPath(value: string | undefined): string {
  if (!value) throw new UsageError("--path is required: a folder (disk.fill) or file (disk.corrupt) on one of the container's volumes");
  return value;
}

// Corrupts `BYTES` bytes of the file at seeded offsets; prints what each held, for the heal.
const CORRUPT_JS = `
const fs = require("node:fs");
const fd = fs.openSync(process.env.P, "r+");
const size = fs.fstatSync(fd).size;
if (size === 0) { console.error("--path: " + process.env.P + " is empty"); process.exit(3); }
let x = Number(process.env.SEED) >>> 0 || 1;
const next = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) % size);
const seen = new Map();
for (let i = 0; i < Math.min(Number(process.env.BYTES), size); i++) {
  let at = next();
  while (seen.has(at)) at = (at + 1) % size;
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  seen.set(at, b[0]);
  fs.writeSync(fd, Buffer.from([b[0] ^ 0xff]), 0, 1, at);
}
fs.fsyncSync(fd);
console.log(JSON.stringify([...seen]));`;

const RESTORE_JS = `
const fs = require("node:fs");
const fd = fs.openSync(process.env.P, "r+");
for (const [at, was] of JSON.parse(process.env.WAS)) fs.writeSync(fd, Buffer.from([was]), 0, 1, at);
fs.fsyncSync(fd);`;

export const diskFaults = {
  "disk.fill": appKind({
    schema: z.object({ kind: z.literal("disk.fill"), target: z.string().min(1), path: absPath, mb: z.number().int().min(1).optional() }).strict(),
    summary: "fill the volume holding --path (all of it, or --mb): writes then fail with ENOSPC",
    describe: (f) => `disk.fill ${f.target} ${f.path}${f.mb ? ` ${f.mb} MB` : ""}`,
    check: (f, snap, at) => void select(snap, `${at}.target`, f.target),
    cli: { parse: (i) => ({ kind: "disk.fill", target: needTarget(i), path: needPath(i.flags.path), ...(i.flags.mb !== undefined ? { mb: num("mb", i.flags.mb) } : {}) }) },
    apply: async (f, id, ctx) => {
      for (const c of await targets(ctx, f.target)) {
        const script = [
          onVolume(c.target),
          `[ -d "$P" ] || { echo "--path: $P is not a folder" >&2; exit 3; }`,
          `free=$(( $(df -k --output=avail "$P" | tail -1) / 1024 ))`,
          `want=\${MB:-$free}`,
          `if [ -z "$MB" ] && [ "$free" -gt ${FILL_ALL_LIMIT_MB} ]; then echo "--mb: the volume at $P has $free MB free, more than ${FILL_ALL_LIMIT_MB}; say how much to fill with --mb" >&2; exit 3; fi`,
          // fallocate is instant where the filesystem has it; dd fills the rest (its ENOSPC is the point).
          `fallocate -l "\${want}M" "$P/.nonstop-fill-${id}" 2>/dev/null || dd if=/dev/zero of="$P/.nonstop-fill-${id}" bs=1M count="$want" 2>/dev/null || true`,
          `echo "$want"`,
        ].join("\n");
        await runIn(ctx, c, id, "disk", script, { P: f.path, MB: f.mb ? String(f.mb) : "" });
      }
      return null;
    },
    revert: async (f, _u, id, ctx) => {
      await Promise.all((await healTargets(ctx, f.target)).map((c) => runIn(ctx, c, id, "disk", `rm -f "$P/.nonstop-fill-${id}"`, { P: f.path })));
      return HEALED;
    },
  }),

  "disk.corrupt": appKind({
    schema: z.object({ kind: z.literal("disk.corrupt"), target: z.string().min(1), path: absPath, bytes: z.number().int().min(1).max(4096).default(16), seed: z.number().int().min(0).default(1) }).strict(),
    summary: "flip bytes of a file on the container's volume (--path, --bytes, --seed); the heal puts them back",
    describe: (f) => `disk.corrupt ${f.target} ${f.path} (${f.bytes} bytes)`,
    check: (f, snap, at) => {
      const cs = select(snap, `${at}.target`, f.target);
      if (cs.length !== 1) throw new UsageError(`${at}.target: disk.corrupt takes one container (got ${cs.length}: ${cs.map((c) => c.target).join(", ")})`);
    },
    cli: { parse: (i) => ({ kind: "disk.corrupt", target: needTarget(i), path: needPath(i.flags.path), bytes: num("bytes", i.flags.bytes, 16), seed: num("seed", i.flags.seed, 1) }) },
    apply: async (f, id, ctx) => {
      const [c] = await targets(ctx, f.target);
      if (!c) throw new UsageError(`target: ${f.target} has no container`);
      const script = `${onVolume(c.target)}\n[ -f "$P" ] || { echo "--path: $P is not a file" >&2; exit 3; }\nexec node -e "$JS"`;
      const out = await runIn(ctx, c, id, "disk", script, { P: f.path, BYTES: String(f.bytes), SEED: String(f.seed), JS: CORRUPT_JS });
      return JSON.parse(out.trim()) as [number, number][];
    },
    revert: async (f, was, id, ctx) => {
      const [c] = await healTargets(ctx, f.target);
      if (c && was.length) await runIn(ctx, c, id, "disk", `exec node -e "$JS"`, { P: f.path, WAS: JSON.stringify(was), JS: RESTORE_JS });
      return HEALED;
    },
  }),
};
