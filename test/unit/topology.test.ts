import { describe, expect, it } from "vitest";
import { UsageError } from "../../lab/errors.js";
import { linkPort, links, linksFrom, rolesOf } from "../../lab/topology/links.js";
import { resolveTopology } from "../../lab/topology/resolve.js";

function err(input: unknown): string {
  try {
    resolveTopology(input, "demo");
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    const msg = (e as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  throw new Error("expected an error");
}

describe("services", () => {
  it("places every service of the paper with 'all', each of its own kind", () => {
    const t = resolveTopology({ services: "all" }, "demo");
    expect(t.services.map((s) => [s.name, s.kind, s.primary, s.backup])).toEqual([
      ["web", "web", "cpu-0", "cpu-1"],
      ["transactions", "transactions", "cpu-0", "cpu-1"],
      ["mail", "mail", "cpu-0", "cpu-1"],
      ["downloads", "downloads", "cpu-0", "cpu-1"],
      ["files", "files", "cpu-0", "cpu-1"],
      ["files-wb", "files", "cpu-0", "cpu-1"],
      ["session", "session", "cpu-0", "cpu-1"],
    ]);
    expect(t.services.find((s) => s.name === "files-wb")?.cache).toBe("write-back");
    expect(new Set(t.services.map((s) => s.edgePort)).size).toBe(7);
  });

  it("takes a service's kind from its name, else web, and gives files a write-through cache", () => {
    const t = resolveTopology({ services: [{ name: "mail", primary: "cpu-0" }, { name: "shop", primary: "cpu-1" }, { name: "nfs", kind: "files", primary: "cpu-2" }] }, "demo");
    expect(t.services.map((s) => [s.kind, s.cache])).toEqual([
      ["mail", undefined],
      ["web", undefined],
      ["files", "write-through"],
    ]);
  });

  it("names the allowed kinds, and keeps a cache for files", () => {
    expect(err({ services: [{ name: "x", kind: "gopher", primary: "cpu-0" }] })).toBe(
      "topology: services[0].kind: unknown service kind; allowed: web, transactions, mail, downloads, files, session (got \"gopher\")",
    );
    expect(err({ services: [{ name: "web", cache: "write-back", primary: "cpu-0" }] })).toBe("topology: services[0].cache: only a files service has a cache (this one is web)");
    expect(err({ services: "some" })).toBe(`topology: services: a list of services, or "all" (got 'some')`);
  });
});

describe("topology", () => {
  it("resolves the empty form to the default machine", () => {
    const t = resolveTopology({}, "demo");
    expect(t.cpus.map((c) => c.name)).toEqual(["cpu-0", "cpu-1", "cpu-2", "cpu-3"]);
    expect(t.planes.map((p) => p.router)).toEqual(["router-x", "router-y"]);
    expect(t.disks.map((d) => d.name)).toEqual(["mirror-a", "mirror-b"]);
    expect(t.services).toEqual([{ name: "web", kind: "web", port: 8081, primary: "cpu-0", backup: "cpu-1", address: "svc-web", edgePort: 30000 }]);
    expect(t.heartbeat).toEqual({ periodMs: 50, missed: 3, endedLinks: true });
    expect(resolveTopology({ heartbeat: { endedLinks: false } }, "demo").heartbeat.endedLinks).toBe(false);
    expect(t.cpus[0]).toMatchObject({ cpus: 0.5, memoryMb: 256 });
  });

  it("a single CPU is the classic machine: a primary with no backup", () => {
    const t = resolveTopology({ cpus: 1 }, "demo");
    expect(t.services[0]).not.toHaveProperty("backup");
    expect(links(t)).toEqual([]);
  });

  it("gives every ordered CPU pair its own proxy on each plane", () => {
    const t = resolveTopology({ cpus: 3 }, "demo");
    expect(links(t)).toHaveLength(3 * 2 * 2);
    const l = linksFrom(t, "cpu-2").find((x) => x.to === "cpu-0" && x.plane === "y");
    expect(l).toEqual({
      plane: "y",
      from: "cpu-2",
      to: "cpu-0",
      proxy: "cpu-2_to_cpu-0",
      via: { host: "router-y.servernet-y", port: linkPort(2, 0) },
      upstream: { host: "cpu-0-y", port: 7070 },
    });
    expect(new Set(links(t).filter((x) => x.plane === "x").map((x) => x.via.port)).size).toBe(6);
    expect(rolesOf(t, "cpu-1")).toEqual({ primary: [], backup: ["web"] });
  });

  it("rejects 0 CPUs, naming the field", () => {
    expect(err({ cpus: 0 })).toBe("topology: cpus: must be between 1 and 16");
  });

  it("rejects a backup on its primary's CPU", () => {
    expect(err({ services: [{ name: "web", primary: "cpu-1", backup: "cpu-1" }] })).toMatch(/^topology: services\[0\]\.backup: must be a different CPU from its primary \(cpu-1\)/);
  });

  it("rejects an unknown plane, listing the allowed ones", () => {
    expect(err({ planes: ["x", "z"] })).toMatch(/^topology: planes\[1\]: unknown plane; allowed: x, y/);
  });

  it("rejects an unknown CPU in a placement, listing the CPUs", () => {
    expect(err({ cpus: 2, services: [{ name: "web", primary: "cpu-5" }] })).toBe("topology: services[0].primary: unknown CPU 'cpu-5'; CPUs are cpu-0, cpu-1");
  });

  it("rejects unknown fields and a mirror of one disk", () => {
    expect(err({ cpuz: 3 })).toMatch(/unknown field\(s\) cpuz/);
    expect(err({ disks: { mirrors: 1 } })).toMatch(/^topology: disks\.mirrors: a RAID-1 mirror needs at least 2 disks/);
  });
});

describe("service addresses", () => {
  it("come from the top of the edge subnet", async () => {
    const { serviceVip } = await import("../../lab/machine/vip.js");
    expect(serviceVip("172.23.0.0/16", 0)).toBe("172.23.255.254");
    expect(serviceVip("172.23.0.0/16", 2)).toBe("172.23.255.252");
    expect(serviceVip("10.1.2.0/24", 0)).toBe("10.1.2.254");
    expect(() => serviceVip("10.1.2.0/30", 0)).toThrow(/too small/);
  });

  it("are found on the interface whose subnet holds them, not one that shares their first octets", async () => {
    const { inSubnet, serviceVip } = await import("../../lab/machine/vip.js");
    // Docker's /20 pools: edge, plane x and plane y all in 192.168.0.0/16.
    const vip = serviceVip("192.168.32.0/20", 0);
    expect(inSubnet(vip, "192.168.32.3", 20)).toBe(true);
    expect(inSubnet(vip, "192.168.16.3", 20)).toBe(false);
    expect(inSubnet("172.23.255.254", "172.23.0.5", 16)).toBe(true);
  });
});
