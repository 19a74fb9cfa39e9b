import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { nodesFlag } from "../../lab/cli/machine.js";
import { planMachine } from "../../lab/machine/plan.js";
import { checkEngine, kindsHelp } from "../../lab/faults/kinds/index.js";
import { gateEntries, gateProxies, gateSpec } from "../../lab/swarm/gate.js";
import { generateStack, slotOf } from "../../lab/swarm/stack.js";
import { resolveTopology } from "../../lab/topology/resolve.js";

const images = { cpu: "nonstop-lab/cpu:abc", router: "nonstop-lab/router:def" };

interface StackDoc {
  services: Record<
    string,
    {
      ports?: unknown;
      privileged?: boolean;
      cap_add?: string[];
      environment?: Record<string, string>;
      configs?: { source: string; target: string }[];
      deploy: { replicas: number; endpoint_mode: string; restart_policy: { condition: string }; placement?: { constraints: string[] }; labels: Record<string, string> };
    }
  >;
  networks: Record<string, { driver: string; attachable: boolean; internal: boolean; name: string; labels: Record<string, string> }>;
  volumes: Record<string, { name: string; driver?: string; driver_opts?: Record<string, string> }>;
  configs: Record<string, { file: string; name: string }>;
}

function stack(slots = 2, extra: Partial<Parameters<typeof generateStack>[2]> = {}) {
  const t = resolveTopology({}, "sw");
  const files = generateStack(t, images, { takeover: "repoint", slots, ...extra });
  return { t, files, doc: parse(files["docker-stack.yml"]) as StackDoc };
}

describe("the Swarm stack, from the machine's plan", () => {
  it("has the plan's parts as services of one task each, spread by slot, published nowhere", () => {
    const { t, doc } = stack(2);
    const plan = planMachine(t, images);
    expect(Object.keys(doc.services).sort()).toEqual([...plan.routers.map((r) => r.spec.name), ...plan.cpus.map((c) => c.name)].sort());
    for (const s of Object.values(doc.services)) {
      expect(s.ports).toBeUndefined();
      expect(s.privileged).toBeUndefined();
      expect(s.deploy).toMatchObject({ replicas: 1, endpoint_mode: "dnsrr", restart_policy: { condition: "none" } });
      expect(s.deploy.labels["nonstop.lab"]).toBe("sw");
    }
    expect(doc.services["cpu-0"]?.deploy.placement?.constraints).toEqual(["node.labels.nonstop.slot == 0"]);
    expect(doc.services["cpu-1"]?.deploy.placement?.constraints).toEqual(["node.labels.nonstop.slot == 1"]);
    expect(doc.services["cpu-2"]?.deploy.placement?.constraints).toEqual(["node.labels.nonstop.slot == 0"]);
    expect(doc.services["router-x"]?.deploy.placement?.constraints).toEqual(["node.role == manager"]);
    // Only CPUs get NET_ADMIN, as on one host.
    expect(doc.services["router-x"]?.cap_add).toBeUndefined();
    expect(doc.services["cpu-0"]?.cap_add).toEqual(["NET_ADMIN", "NET_RAW"]);
  });

  it("makes the planes internal, every network an attachable overlay, and records the lab on the edge", () => {
    const { t, doc } = stack();
    for (const [name, n] of Object.entries(doc.networks)) {
      expect(n).toMatchObject({ driver: "overlay", attachable: true, internal: name !== "edge", name: `nonstop-sw-${name}` });
    }
    expect(JSON.parse(doc.networks.edge?.labels["nonstop.topology"] ?? "{}")).toEqual(t);
    expect(doc.networks.edge?.labels["nonstop.engine"]).toBe("swarm");
  });

  it("loads each router's proxies from a Swarm config, not a bind mount", () => {
    const { t, files, doc } = stack();
    const plan = planMachine(t, images, {}, { repointEdge: true });
    for (const r of plan.routers) {
      expect(doc.services[r.spec.name]?.configs).toEqual([{ source: r.spec.name, target: `/etc/nonstop/${r.spec.name}.json` }]);
      expect(doc.configs[r.spec.name]?.file).toBe(`./${r.spec.name}.toxiproxy.json`);
      expect(JSON.parse(files.configs[r.spec.name] ?? "[]")).toEqual(r.proxies.map((p) => ({ ...p, enabled: true })));
    }
  });

  it("tells the CPUs to re-point the edge router, or gives them service addresses for `address` takeover", () => {
    const repoint = stack().doc.services["cpu-0"]?.environment ?? {};
    expect(repoint.NONSTOP_EDGE_API).toBe("router-edge:8474");
    expect(repoint.NONSTOP_VIPS).toBeUndefined();
    const address = stack(1, { takeover: "address", edgeSubnet: "10.213.100.0/24" }).doc;
    expect(address.services["cpu-0"]?.environment?.NONSTOP_EDGE_API).toBeUndefined();
    expect(JSON.parse(address.services["cpu-0"]?.environment?.NONSTOP_VIPS ?? "{}")).toEqual({ web: "10.213.100.254" });
  });

  it("binds each mirror to its own directory when the CPUs spread over nodes", () => {
    const { doc } = stack(2, { mirror: { driver: "local", perMirror: (m) => ({ type: "none", o: "bind", device: `/shared/sw/${m}` }) } });
    expect(doc.volumes["mirror-a"]).toMatchObject({ name: "nonstop-sw-mirror-a", driver: "local", driver_opts: { type: "none", o: "bind", device: "/shared/sw/mirror-a" } });
  });

  it("spreads CPUs round robin over the slots", () => {
    expect([0, 1, 2, 3].map((i) => slotOf(i, 3))).toEqual([0, 1, 2, 0]);
    expect(slotOf(5, 1)).toBe(0);
  });
});

describe("the port gate", () => {
  it("has one loopback port for each port a part publishes on one host, and forwards it by the part's edge name", () => {
    const t = resolveTopology({}, "sw");
    const entries = gateEntries(t);
    expect(entries.filter((e) => e.port === 8474).map((e) => e.part).sort()).toEqual(["router-edge", "router-x", "router-y"]);
    expect(entries.filter((e) => e.port === t.agentPort).map((e) => e.part)).toEqual(["cpu-0", "cpu-1", "cpu-2", "cpu-3"]);
    expect(new Set(entries.map((e) => e.listen)).size).toBe(entries.length);
    expect(gateProxies(t).find((p) => p.name === "cpu-2_8080")?.upstream).toBe("cpu-2-edge:8080");
    expect(gateProxies(t).find((p) => p.name === "router-x_8474")?.upstream).toBe("router-x:8474");
    const spec = gateSpec(t, images.router);
    expect(spec.publish).toEqual([8474, ...entries.map((e) => e.listen)]);
    expect(spec.capAdd).toBeUndefined();
  });
});

describe("faults on Swarm", () => {
  it("refuses a kind Swarm cannot do in one line, and says so in the help", () => {
    expect(() => checkEngine({ kind: "node.isolate" }, "swarm")).toThrow(/^fault: node.isolate does not work on Swarm: /);
    expect(() => checkEngine({ kind: "node.isolate" }, "host")).not.toThrow();
    expect(() => checkEngine({ kind: "cpu.kill" }, "swarm")).not.toThrow();
    expect(kindsHelp()).toMatch(/node\.isolate .*\(not on Swarm\)/);
  });
});

describe("--node", () => {
  it("takes NAME=URL pairs and names the field and the forms when one is wrong", () => {
    expect(nodesFlag(["w1=tcp://10.0.0.2:2375", "w2=ssh://me@w2"])).toEqual({ w1: "tcp://10.0.0.2:2375", w2: "ssh://me@w2" });
    expect(() => nodesFlag(["w1"])).toThrow(/^--node: NAME=URL with a tcp:\/\/, ssh:\/\/ or unix:\/\/ URL/);
    expect(() => nodesFlag(["w1=http://x"])).toThrow(/--node/);
  });
});
