// The pure parts of bringing your own system: the override that labels a user's project,
// how targets name containers, and how faults are parsed and refused before anything runs.
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioJsonSchema } from "../../lab/app/schema.js";
import { loadScenarios } from "../../lab/scenario/load.js";
import { overrideFor, type ComposeProject } from "../../lab/app/compose.js";
import { APP_FAULT_KINDS, appFaultFromCli, checkAppFault } from "../../lab/app/faults/index.js";
import { parseGroups } from "../../lab/app/faults/net.js";
import { select, type AppContainer, type AppSnapshot } from "../../lab/app/system.js";
import type { LabContainer } from "../../lab/docker/plumbing.js";
import { resolveLogs } from "../../lab/app/logs.js";
import { logsCheck } from "../../lab/checks/logs.js";
import type { HistoryEntry } from "../../lab/history/types.js";

const project: ComposeProject = {
  name: "shop",
  files: ["/x/docker-compose.yml"],
  model: {
    name: "shop",
    services: { api: { image: "shop-api" }, db: { image: "db" } },
    networks: { default: { name: "shop_default" }, outside: { name: "corp", external: true } },
    volumes: { data: { name: "shop_data" } },
  },
};

function c(service: string, index: number, state: LabContainer["state"] = "running"): AppContainer {
  const container = { id: `${service}${index}`, containerName: `shop-${service}-${index}`, name: service, lab: "", role: "app", image: "x", state, health: "none", ports: [], addresses: {}, labels: {} } satisfies LabContainer;
  return { target: index === 1 ? service : `${service}.${index}`, service, index, container };
}

const snap: AppSnapshot = { lab: "shop", project: "shop", services: ["api", "db"], containers: [c("api", 1), c("api", 2), c("db", 1, "exited")] };

describe("the override file", () => {
  it("labels every service, and every network and volume the project owns, never an external one", () => {
    expect(overrideFor(project, "shop")).toEqual({
      services: {
        api: { labels: { "nonstop.lab": "shop", "nonstop.role": "app", "nonstop.name": "api" } },
        db: { labels: { "nonstop.lab": "shop", "nonstop.role": "app", "nonstop.name": "db" } },
      },
      networks: { default: { labels: { "nonstop.lab": "shop", "nonstop.role": "net", "nonstop.name": "default" } } },
      volumes: { data: { labels: { "nonstop.lab": "shop", "nonstop.role": "disk", "nonstop.name": "data" } } },
    });
  });
});

describe("targets", () => {
  it("names the first replica by its service, the others by index, and all of them with .*", () => {
    expect(select(snap, "t", "api").map((x) => x.target)).toEqual(["api"]);
    expect(select(snap, "t", "api.2").map((x) => x.target)).toEqual(["api.2"]);
    expect(select(snap, "t", "api.*").map((x) => x.target)).toEqual(["api", "api.2"]);
  });

  it("takes a list, each container once", () => {
    expect(select(snap, "t", "api.2,api.*").map((x) => x.target)).toEqual(["api.2", "api"]);
    expect(() => select(snap, "t", "api,cache")).toThrow("t: no service 'cache' in project shop; services: api, db");
  });

  it("refuses an unknown service listing the services, a missing replica listing the replicas, and a stopped container", () => {
    expect(() => select(snap, "fault.target", "cache")).toThrow("fault.target: no service 'cache' in project shop; services: api, db");
    expect(() => select(snap, "fault.target", "api.3")).toThrow("fault.target: api.3 has no container; api's are api, api.2");
    expect(() => select(snap, "fault.target", "db")).toThrow(/fault\.target: db is not running \(it is exited\)/);
  });
});

describe("app faults before they act", () => {
  it("parses the CLI forms the README shows", () => {
    expect(appFaultFromCli("net.delay", "api", { ms: "300" })).toEqual({ kind: "net.delay", target: "api", ms: 300, jitterMs: 0 });
    expect(appFaultFromCli("net.loss", "db", { percent: "20" })).toEqual({ kind: "net.loss", target: "db", percent: 20 });
    expect(appFaultFromCli("net.partition", undefined, { groups: "api/db,cache" })).toEqual({ kind: "net.partition", groups: [["api"], ["db", "cache"]] });
    expect(appFaultFromCli("process.kill", "db", { name: "postgres", signal: "sigterm" })).toEqual({ kind: "process.kill", target: "db", name: "postgres", signal: "TERM" });
    expect(appFaultFromCli("link.latency", undefined, { from: "api", to: "db:5432", ms: "300" })).toEqual({ kind: "link.toxic", from: "api", to: "db:5432", toxic: { type: "latency", latencyMs: 300, jitterMs: 0 } });
    expect(appFaultFromCli("link.down", undefined, { from: "api", to: "db:5432" })).toEqual({ kind: "link.down", from: "api", to: "db:5432" });
  });

  it("refuses bad input with one line naming the field", () => {
    expect(() => appFaultFromCli("net.loss", "db", { percent: "120" })).toThrow("--percent: a number above 0 and at most 100 (got '120')");
    expect(() => parseGroups("api")).toThrow(/--groups: at least two groups/);
    expect(() => appFaultFromCli("process.kill", "db", { name: "x", signal: "BOOM" })).toThrow(/--signal: allowed: KILL, TERM/);
    expect(() => checkAppFault({ kind: "cpu.kill", cpu: "cpu-0" }, snap)).toThrow(`fault: kind: unknown fault kind 'cpu.kill' for a Compose project; allowed: ${APP_FAULT_KINDS.join(", ")}`);
    expect(() => checkAppFault({ kind: "net.partition", groups: [["api"], ["api.*"]] }, snap)).toThrow("fault.groups: api is in two groups");
    expect(() => checkAppFault({ kind: "net.delay", target: "api", ms: 100, jitterMs: 200 }, snap)).toThrow("fault.jitterMs: at most the delay (100)");
    expect(() => appFaultFromCli("link.latency", undefined, { from: "api", ms: "1" })).toThrow("--to is required: the server's service and port, e.g. --to db:5432");
    expect(() => checkAppFault({ kind: "link.down", from: "api.*", to: "db:5432" }, { ...snap, containers: snap.containers.map((x) => ({ ...x, container: { ...x.container, state: "running" as const } })) })).toThrow("fault.from: a link starts at one container (api.* names 2)");
  });
});

describe("a system's own log lines as events", () => {
  const at = (p: string) => `scenario s: ${p}`;
  const running: AppSnapshot = { ...snap, containers: snap.containers.map((x) => ({ ...x, container: { ...x.container, state: "running" as const } })) };

  it("names every event once, with a pattern that compiles, on containers the project has", () => {
    const logs = resolveLogs({ api: { targets: "api.*", events: { tried: "\\+try-failover", aborted: "-failover-abort" } }, db: { targets: "db", events: { up: "ready" } } }, running, at);
    expect(logs.names).toEqual(["tried", "aborted", "up"]);
    expect(logs.groups.api?.events.map((e) => e.re.test("1:X # +try-failover master"))).toEqual([true, false]);
    expect(() => resolveLogs({ api: { targets: "api", events: { up: "a" } }, db: { targets: "db", events: { up: "b" } } }, running, at)).toThrow("scenario s: logs.db.events.up: the event up is named in another group too; each event needs its own name (it is the figure logs.up)");
    expect(() => resolveLogs({ api: { targets: "api", events: { up: "(" } } }, running, at)).toThrow(/^scenario s: logs\.api\.events\.up: '\(' is not a regular expression/);
    expect(() => resolveLogs({ api: { targets: "cache", events: { up: "a" } } }, running, at)).toThrow("scenario s: logs.api.targets: no service 'cache' in project shop; services: api, db");
    expect(() => resolveLogs({ api: { targets: "api", events: { "Up-1": "a" } } }, running, at)).toThrow(/logs\.api.*an event name/);
    expect(() => resolveLogs({ api: { targets: "api", events: {} } }, running, at)).toThrow(/name at least one event/);
  });

  it("counts each event, a named event never seen as 0, and times each line from the fault before it", () => {
    const h: HistoryEntry[] = [
      { index: 0, type: "log", time: 500_000, group: "s", target: "s1", event: "tried", line: "before" },
      { index: 1, type: "fault", time: 1_000_000, event: "inject", id: "kill", kind: "container.kill", description: "kill r1" },
      { index: 2, type: "log", time: 31_250_000, group: "s", target: "s3", event: "tried", line: "+try-failover master" },
      { index: 3, type: "log", time: 31_400_000, group: "s", target: "s1", event: "switched", line: "+switch-master" },
    ];
    const v = logsCheck(["tried", "switched", "aborted"]).run(h);
    expect(v).toMatchObject({ valid: true, figures: { tried: 2, switched: 1, aborted: 0 } });
    expect(v.table?.[2]).toEqual(["31.250", "30.250 (kill)", "s3", "tried", "+try-failover master"]);
    expect(v.table?.[1]?.[1]).toBe("");
    expect(logsCheck(["tried"]).units).toEqual({ tried: "count" });
  });
});

describe("YAML scenario files", () => {
  it("publishes the JSON Schema they are checked against, as committed (regenerate: nonstop schema > docs/scenario.schema.json)", async () => {
    expect(JSON.parse(await readFile("docs/scenario.schema.json", "utf8"))).toEqual(scenarioJsonSchema());
  });

  it("refuses a bad field before anything starts, naming the file and the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yaml-scn-"));
    const file = join(dir, "bad.scenario.yaml");
    await writeFile(file, "name: x\nclaim: y\nsystem: { compose: ./c.yml }\nworkload: { client: http, target: api, port: 80, path: /, rate: 0, timeoutMs: 100 }\nschedule: { timeline: [] }\nduration: 1s\nchecks: []\nthresholds: []\n");
    await expect(loadScenarios([file])).rejects.toThrow(/^run: bad\.scenario\.yaml: workload.*rate/);
    await writeFile(file, "name: x\nclaim: y\ntopology: {}\n");
    await expect(loadScenarios([file])).rejects.toThrow("run: bad.scenario.yaml: a YAML scenario is for a Compose project: system.compose is required");
  });
});
