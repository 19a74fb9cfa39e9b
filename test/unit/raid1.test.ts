// The RAID-1 driver against two real directories (the unit here is the driver's logic;
// the integration scenarios put it on Docker volumes under disk faults).
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeLine, decodeRecord, encodeLine, encodeRecord, Raid1, type RaidEvent } from "../../runtime/raid/raid1.js";
import { DiskSupervisor } from "../../runtime/raid/supervisor.js";

let a: string;
let b: string;
let events: RaidEvent[];
let raid: Raid1;

beforeEach(async () => {
  a = await mkdtemp(join(tmpdir(), "mirror-a-"));
  b = await mkdtemp(join(tmpdir(), "mirror-b-"));
  events = [];
  raid = new Raid1([{ name: "mirror-a", path: a }, { name: "mirror-b", path: b }], (e) => events.push(e));
  await raid.init();
});

afterEach(async () => {
  await chmod(a, 0o755).catch(() => undefined);
  await rm(a, { recursive: true, force: true });
  await rm(b, { recursive: true, force: true });
});

describe("RAID-1 records and journals", () => {
  it("encodes with a checksum that catches a flipped byte", () => {
    const rec = encodeRecord(Buffer.from("hello"));
    expect(decodeRecord(rec)?.toString()).toBe("hello");
    const bad = Buffer.from(rec);
    bad.writeUInt8((bad.at(-1) ?? 0) ^ 1, bad.length - 1);
    expect(decodeRecord(bad)).toBeUndefined();
    expect(decodeLine(encodeLine('{"v":1}').trimEnd())).toBe('{"v":1}');
    expect(decodeLine(encodeLine('{"v":1}').trimEnd().replace("1}", "2}"))).toBeUndefined();
  });

  it("writes every record to both mirrors", async () => {
    await raid.writeFile("pairs/web.json", '{"epoch":1}');
    expect(decodeRecord(await readFile(join(a, "pairs/web.json")))?.toString()).toBe('{"epoch":1}');
    expect(decodeRecord(await readFile(join(b, "pairs/web.json")))?.toString()).toBe('{"epoch":1}');
  });

  it("serves a corrupted record from the other mirror and repairs it", async () => {
    await raid.writeFile("x", "the value");
    const raw = await readFile(join(a, "x"));
    raw.writeUInt8((raw.at(-2) ?? 0) ^ 0xff, raw.length - 2);
    await writeFile(join(a, "x"), raw);
    expect((await raid.readFile("x"))?.toString()).toBe("the value");
    expect(decodeRecord(await readFile(join(a, "x")))?.toString()).toBe("the value");
    expect(events).toContainEqual({ type: "raid.repaired", mirror: "mirror-a", file: "x", why: "checksum" });
  });

  it("keeps a journal's order, and merges good lines from both mirrors", async () => {
    for (let i = 0; i < 20; i++) await raid.append("web.journal", JSON.stringify({ i }));
    const text = await readFile(join(b, "web.journal"), "utf8");
    const lines = text.split("\n");
    lines[5] = lines[5]?.replace('"i":5', '"i":7') ?? "";
    await writeFile(join(b, "web.journal"), lines.join("\n"));
    const got = await raid.readJournal("web.journal");
    expect(got.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await readFile(join(b, "web.journal"), "utf8")).toBe(await readFile(join(a, "web.journal"), "utf8"));
  });

  it("carries on degraded when a mirror fails, and rebuilds it when it is back", async () => {
    await raid.writeFile("before", "1");
    await chmod(a, 0o000);
    // Root ignores permissions; only check the failure path where it applies.
    const rootBypass = process.getuid?.() === 0;
    await raid.writeFile("during", "2");
    await raid.append("j.journal", "x");
    if (!rootBypass) {
      expect(raid.degraded).toBe(true);
      expect(events.find((e) => e.type === "raid.degraded")).toMatchObject({ mirror: "mirror-a" });
    }
    await chmod(a, 0o755);
    const s = await raid.scrub();
    expect(raid.degraded).toBe(false);
    expect((await raid.readFile("during"))?.toString()).toBe("2");
    expect(decodeRecord(await readFile(join(a, "during")))?.toString()).toBe("2");
    if (!rootBypass) expect(s.repaired).toBeGreaterThan(0);
  });

  it("rebuilds a wiped mirror from its twin", async () => {
    for (let i = 0; i < 10; i++) await raid.writeFile(`blocks/${i}`, `block ${i}`);
    await raid.append("w.journal", "one");
    await rm(b, { recursive: true, force: true });
    const s = await raid.scrub();
    expect(s.repaired).toBe(11);
    expect(s.rebuilt.map((r) => r.mirror)).toEqual(["mirror-b"]);
    expect(decodeRecord(await readFile(join(b, "blocks/7")))?.toString()).toBe("block 7");
  });

  it("refuses a write when no mirror can take it", async () => {
    // A mirror "directory" under a regular file: every write fails with ENOTDIR.
    await writeFile(join(b, "plain-file"), "x");
    const broken = new Raid1([{ name: "m", path: join(b, "plain-file", "m") }]);
    await expect(broken.writeFile("x", "1")).rejects.toThrow(/failed on every mirror/);
  });
});

describe("RAID-1 with a replaced mirror", () => {
  it("takes the journal from the full copy when a blank mirror holds only what was appended since", async () => {
    for (let i = 0; i < 10; i++) await raid.append("pairs/web.journal", JSON.stringify({ i }));
    await rm(a, { recursive: true, force: true });
    for (let i = 10; i < 13; i++) await raid.append("pairs/web.journal", JSON.stringify({ i }));
    expect(await raid.replaced()).toEqual(["mirror-a"]);
    const got = await raid.readJournal("pairs/web.journal");
    expect(got.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(await readFile(join(a, "pairs/web.journal"), "utf8")).toBe(await readFile(join(b, "pairs/web.journal"), "utf8"));
  });

  it("survives a flipped newline: the copy with more good lines wins", async () => {
    for (let i = 0; i < 10; i++) await raid.append("j.journal", JSON.stringify({ i }));
    const text = await readFile(join(a, "j.journal"), "utf8");
    const at = text.indexOf("\n", text.length / 2);
    await writeFile(join(a, "j.journal"), `${text.slice(0, at)}X${text.slice(at + 1)}`);
    const got = await raid.readJournal("j.journal");
    expect(got).toHaveLength(10);
    expect(events.find((e) => e.type === "raid.repaired")).toMatchObject({ mirror: "mirror-a", file: "j.journal" });
  });

  it("rebuilds a replaced mirror while writes go on, and marks it a member again", async () => {
    for (let i = 0; i < 50; i++) await raid.writeFile(`pairs/web.${i}`, `block ${i}`);
    await rm(b, { recursive: true, force: true });
    const writes = Promise.all(Array.from({ length: 20 }, (_, i) => raid.writeFile(`pairs/web.${i}`, `new ${i}`)));
    const r = await raid.rebuild("mirror-b");
    await writes;
    expect(r).toMatchObject({ mirror: "mirror-b", files: 50 });
    expect(await raid.replaced()).toEqual([]);
    for (const i of [0, 19, 20, 49]) expect(decodeRecord(await readFile(join(b, `pairs/web.${i}`)))?.toString()).toBe(i < 20 ? `new ${i}` : `block ${i}`);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["raid.replaced", "raid.rebuilt"]));
  });

  it("leaves a file to the CPU that writes it: the supervisor repairs only what this CPU owns", async () => {
    await raid.writeFile("pairs/web.json", "w");
    await raid.writeFile("pairs/mail.json", "m");
    await rm(b, { recursive: true, force: true });
    const sup = new DiskSupervisor({ raid, services: ["web", "mail"], primaryOf: () => ["web"], coordinator: () => false });
    await sup.tick();
    expect(decodeRecord(await readFile(join(b, "pairs/web.json")))?.toString()).toBe("w");
    await expect(readFile(join(b, "pairs/mail.json"))).rejects.toThrow(/ENOENT/);
    // Not the primary of anything, not the coordinator: hands off entirely.
    const idle = new DiskSupervisor({ raid, services: ["web"], primaryOf: () => [], coordinator: () => false });
    await rm(b, { recursive: true, force: true });
    await idle.tick();
    expect(await raid.replaced()).toEqual(["mirror-b"]);
  });
});

describe("RAID-1 on a multiported disk", () => {
  it("keeps the newest copy of a record, never an older one", async () => {
    await raid.writeFile("pairs/web.json", '{"epoch":1}');
    const older = await readFile(join(a, "pairs/web.json"));
    await raid.writeFile("pairs/web.json", '{"epoch":2}');
    // Mirror a holds an older (but intact) copy, as when a reader races a writer.
    await writeFile(join(a, "pairs/web.json"), older);
    expect((await raid.readFile("pairs/web.json"))?.toString()).toBe('{"epoch":2}');
    expect(decodeRecord(await readFile(join(a, "pairs/web.json")))?.toString()).toBe('{"epoch":2}');
    expect(events).toContainEqual({ type: "raid.repaired", mirror: "mirror-a", file: "pairs/web.json", why: "stale" });
  });

  it("lets two drivers (two CPUs) write the same record at once without failing a mirror", async () => {
    const other = new Raid1([{ name: "mirror-a", path: a }, { name: "mirror-b", path: b }]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? raid : other).writeFile("pairs/web.json", `{"n":${i}}`)));
    expect(raid.degraded).toBe(false);
    expect(other.degraded).toBe(false);
    expect(await raid.readFile("pairs/web.json")).toBeDefined();
  });
});
