// RAID-1 rebuild throughput: fill two mirrors (in temporary directories on this machine's
// disk) with records, wipe one, and time the scrub that rebuilds it from its twin.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Raid1 } from "../runtime/raid/raid1.js";
import { printFigures } from "./figures.js";

const mb = Number(process.argv[process.argv.indexOf("--mb") + 1]) || 256;
const recordKb = 256;
const a = await mkdtemp(join(tmpdir(), "raid-a-"));
const b = await mkdtemp(join(tmpdir(), "raid-b-"));
try {
  const raid = new Raid1([{ name: "a", path: a }, { name: "b", path: b }]);
  await raid.init();
  const block = Buffer.alloc(recordKb * 1024, 7);
  const n = Math.round((mb * 1024) / recordKb);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await raid.writeFile(`blocks/${i}`, block);
  const writeS = (performance.now() - t0) / 1000;
  await rm(b, { recursive: true, force: true });
  t0 = performance.now();
  // The replaced-mirror path the runtime takes: noticed by its missing marker, rebuilt file by file.
  const [replaced] = await raid.replaced();
  if (replaced !== "b") throw new Error(`expected mirror b to show as replaced, got ${String(replaced)}`);
  const s = await raid.rebuild(replaced);
  const rebuildS = (performance.now() - t0) / 1000;
  printFigures("raid", {
    dataMB: mb,
    records: n,
    recordKB: recordKb,
    mirroredWriteMBps: Math.round(mb / writeS),
    rebuildMBps: Math.round(mb / rebuildS),
    rebuiltRecords: s.files,
    note: "writes: both mirrors, fdatasync each, sequentially; rebuild: verify every record and rewrite the missing copies",
  });
} finally {
  await rm(a, { recursive: true, force: true });
  await rm(b, { recursive: true, force: true });
}
