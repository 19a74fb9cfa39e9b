// The pure parts of the built-in clients of real HA software: which images a Compose file
// asks the lab to make, what an error from Redis or PostgreSQL says about whether a write
// happened, and how a client follows the primary (with a scripted set of servers).
import { describe, expect, it } from "vitest";
import { Connections, PrimaryFollower, type Dialect, type Endpoint } from "../../lab/app/clients/primary.js";
import { pgOutcome } from "../../lab/app/clients/postgres.js";
import { redisOutcome } from "../../lab/app/clients/redis.js";
import { namesRole, roleForCheck, roleNow } from "../../lab/app/roles.js";
import { mentionedSystemImages } from "../../lab/images/systems.js";

describe("system images", () => {
  it("makes only the images a file mentions, and refuses a name it does not make", () => {
    expect(mentionedSystemImages(["BASE: ${NONSTOP_REDIS_IMAGE:-redis:7.0.15-bookworm}\nB: ${NONSTOP_NODE_IMAGE:-node}", "x: $NONSTOP_REDIS_IMAGE"])).toEqual(["REDIS"]);
    expect(mentionedSystemImages(["services: {}"])).toEqual([]);
    expect(() => mentionedSystemImages(["${NONSTOP_REDDIS_IMAGE:-x}"])).toThrow("--compose: NONSTOP_REDDIS_IMAGE is not an image the lab makes; it makes NONSTOP_NODE_IMAGE, NONSTOP_REDIS_IMAGE, NONSTOP_PATRONI_IMAGE, NONSTOP_HAPROXY_IMAGE");
  });
});

describe("what an error says about a write", () => {
  it("Redis: a refusal did nothing; a cut or a timeout may have", () => {
    expect(redisOutcome(new Error("READONLY You can't write against a read only replica.")).type).toBe("fail");
    expect(redisOutcome(new Error("NOREPLICAS Not enough good replicas to write.")).type).toBe("fail");
    expect(redisOutcome(new Error("connect ECONNREFUSED 127.0.0.1:6379")).type).toBe("fail");
    expect(redisOutcome(new Error("Socket closed unexpectedly")).type).toBe("info");
    expect(redisOutcome(new Error("Command timeout")).type).toBe("info");
  });

  it("PostgreSQL: a read-only transaction or a refused connection did nothing; a cut commit may have", () => {
    expect(pgOutcome(Object.assign(new Error("cannot execute INSERT in a read-only transaction"), { code: "25006" })).type).toBe("fail");
    expect(pgOutcome(Object.assign(new Error("the database system is starting up"), { code: "57P03" })).type).toBe("fail");
    expect(pgOutcome(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })).type).toBe("fail");
    expect(pgOutcome(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })).type).toBe("info");
    expect(pgOutcome(new Error("Connection terminated unexpectedly")).type).toBe("info");
  });
});

/** Servers by port whose roles a test sets; a silent one never answers. */
function servers(roles: Record<number, "primary" | "replica" | "silent">): { dialect: Dialect<number>; roles: typeof roles; opened: number[] } {
  const opened: number[] = [];
  const dialect: Dialect<number> = {
    connect: (port) => {
      opened.push(port);
      return Promise.resolve(port);
    },
    isPrimary: (port) => (roles[port] === "silent" ? new Promise(() => undefined) : Promise.resolve(roles[port] === "primary")),
    destroy: () => undefined,
  };
  return { dialect, roles, opened };
}

const eps: Endpoint[] = [
  { target: "r1", port: 1 },
  { target: "r2", port: 2 },
  { target: "r3", port: 3 },
];

describe("following the primary", () => {
  it("writes to the server that says primary and stays with it, even when another says so too, until an operation fails", async () => {
    const s = servers({ 1: "primary", 2: "replica", 3: "replica" });
    const f = new PrimaryFollower(new Connections(s.dialect, 50), () => Promise.resolve(eps));
    expect((await f.primary()).endpoint.target).toBe("r1");
    // A partition: r3 is promoted on the other side; the client still reaches r1 and stays.
    s.roles[3] = "primary";
    expect((await f.primary()).endpoint.target).toBe("r1");
    // r1 is demoted and its write refused: the client asks again.
    s.roles[1] = "replica";
    f.lost(eps[0] as Endpoint, false);
    expect((await f.primary()).endpoint.target).toBe("r3");
  });

  it("after a refusal, prefers another server that says primary over the one that refused", async () => {
    const s = servers({ 1: "primary", 2: "replica", 3: "primary" });
    const f = new PrimaryFollower(new Connections(s.dialect, 50), () => Promise.resolve(eps));
    expect((await f.primary()).endpoint.target).toBe("r1");
    f.lost(eps[0] as Endpoint, false);
    expect((await f.primary()).endpoint.target).toBe("r3");
  });

  it("reads the final state only when exactly one server says primary and none is silent", async () => {
    const s = servers({ 1: "primary", 2: "replica", 3: "primary" });
    const f = new PrimaryFollower(new Connections(s.dialect, 50), () => Promise.resolve(eps));
    await expect(f.only()).rejects.toThrow("r1 and r3 all say they are the primary");
    s.roles[3] = "silent";
    await expect(f.only()).rejects.toThrow("r3 did not say its role");
    s.roles[3] = "replica";
    expect((await f.only()).endpoint.target).toBe("r1");
  });

  it("says so when no server is primary, and dials a dropped connection again", async () => {
    const s = servers({ 1: "replica", 2: "replica", 3: "replica" });
    const f = new PrimaryFollower(new Connections(s.dialect, 50), () => Promise.resolve(eps));
    await expect(f.primary()).rejects.toThrow("no server says it is the primary");
    s.roles[2] = "primary";
    expect((await f.primary()).endpoint.target).toBe("r2");
    f.lost(eps[1] as Endpoint);
    await f.primary();
    expect(s.opened.filter((p) => p === 2)).toHaveLength(2);
  });
});

describe("faults aimed by role", () => {
  const probes = { redis: { targets: "redis1,redis2,redis3" } };

  it("checks primary:<group> against every container the group samples, and refuses an unknown group", () => {
    expect(roleForCheck({ kind: "container.kill", target: "primary:redis" }, probes, "f")).toEqual({ kind: "container.kill", target: "redis1,redis2,redis3" });
    expect(() => roleForCheck({ kind: "container.kill", target: "primary:pg" }, probes, "f")).toThrow("f: primary:pg names no probe group; groups: redis");
    expect(namesRole({ kind: "net.partition", groups: [["primary:redis", "sentinel1"], ["redis2"]] })).toBe(true);
    expect(namesRole({ kind: "container.kill", target: "redis1" })).toBe(false);
  });

  it("names whoever is primary when the fault is injected, and refuses when nobody is", () => {
    expect(roleNow({ kind: "net.partition", groups: [["primary:redis", "sentinel1"], ["redis2"]] }, () => ["redis3"])).toEqual({ kind: "net.partition", groups: [["redis3", "sentinel1"], ["redis2"]] });
    expect(() => roleNow({ kind: "container.kill", target: "primary:redis" }, () => [])).toThrow("primary:redis: no container of probe group redis says it is primary now");
  });
});
