// `nonstop up | down | status | logs`: the machine's lifecycle from the command line.
import { resolve } from "node:path";
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { reap } from "../docker/reap.js";
import { UsageError } from "../errors.js";
import { readSystem } from "../app/system.js";
import { machineStatus, type MachineStatus } from "../machine/status.js";
import { readLabRecord } from "../machine/parts.js";
import { partsOf } from "../machine/locate.js";
import { up } from "../machine/up.js";
import { loadTopologyFile } from "../topology/load.js";
import { paperServices, resolveTopology } from "../topology/resolve.js";
import type { ServiceStatus } from "../machine/status.js";
import { buildImages } from "./images.js";
import { progressLine, table } from "./output.js";
import { reportLeftovers } from "./reap.js";

async function plumbingFor(config: LabConfig): Promise<Plumbing> {
  return new Plumbing(await connectEngine({ host: config.dockerHost }));
}

export function renderStatus(s: MachineStatus): string {
  const roles = (r: { primary: string[]; backup: string[] }) =>
    [...r.primary.map((x) => `primary ${x}`), ...r.backup.map((x) => `backup ${x}`)].join(", ") || "spare";
  const lines = [
    table([
      ["CPU", "X", "Y", "EDGE", "ROLE", "STATE", "HEALTH"],
      ...s.cpus.map((c) => [c.name, c.addresses.x ?? "-", c.addresses.y ?? "-", c.addresses.edge ?? "-", c.rolesFrom === "runtime" ? roles(c.roles) : c.state === "running" ? `${roles(c.roles)} (planned)` : "-", c.state, c.health]),
    ]),
    "",
    table([["ROUTER", "CARRIES", "API", "STATE", "HEALTH"], ...s.routers.map((r) => [r.name, r.plane === "edge" ? "edge" : `plane ${r.plane}`, r.apiUrl ?? "-", r.state, r.health])]),
  ];
  // On Swarm the URLs are the port gate's, on 127.0.0.1 (docs/scale.md).
  if (s.engine === "swarm") lines.unshift(`lab ${s.lab} on Swarm: every port below is the lab's port gate on 127.0.0.1`, "");
  if (s.services.length > 0) {
    lines.push("", table([["SERVICE", "URL (through router-edge)", "PRIMARY", "BACKUP"], ...s.services.map((v) => [v.name, v.url ?? "-", v.primary, v.backup ?? "-"])]));
  }
  return lines.join("\n");
}

export interface UpFlags {
  lab: string;
  cpus?: number;
  topology?: string;
  services?: string;
  json?: boolean;
  keep?: boolean;
  swarm?: boolean;
  node?: string[];
  mirrorDir?: string;
}

/** `--node NAME=URL`, repeated, as hostname → endpoint; checked before anything is made. */
export function nodesFlag(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^([^=\s]+)=((?:tcp|ssh|unix):\/\/\S+)$/.exec(v);
    if (!m?.[1] || !m[2]) throw new UsageError(`--node: NAME=URL with a tcp://, ssh:// or unix:// URL, such as worker-1=tcp://10.0.0.12:2375 (got '${v}')`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `--services all` or `--services web,mail`: the paper's services by name, placed as "all" places them. */
export function servicesFlag(value: string, cpus: number): ReturnType<typeof paperServices> {
  const known = paperServices(cpus);
  if (value.trim() === "all") return known;
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !known.some((k) => k.name === n));
  if (bad !== undefined || names.length === 0) throw new UsageError(`--services: unknown service '${bad ?? value}'; allowed: all, or a list of ${known.map((k) => k.name).join(", ")}`);
  return known.filter((k) => names.includes(k.name));
}

/** A first thing to try with each service, from the host. */
export function pokeHint(s: ServiceStatus): string {
  const url = s.url ?? "";
  switch (s.kind) {
    case "web":
      return `curl ${url}/whoami`;
    case "transactions":
      return `curl -X POST -H 'Idempotency-Key: k1' -d '{"customer":"ann","item":"book","amount":12}' ${url}/orders`;
    case "mail":
      return `printf 'Message-ID: <1@x>\\n\\nhi\\n' | curl ${url} --mail-from a@x --mail-rcpt b@y -T -`;
    case "downloads":
      return `curl -o suite.tar ${url}/files/suite.tar   (then: curl ${url}/files)`;
    case "files":
      return `curl -X PUT --data hello ${url}/f/notes.txt && curl ${url}/f/notes.txt`;
    case "session":
      return `nc 127.0.0.1 ${s.port ?? ""}   (then type: LOGIN ann, INCR, WHO, QUIT)`;
  }
}

/** The machine's shape from `--topology FILE`, `--cpus N` and `--services LIST`, as `up` and `sweep` take it. */
export async function topologyFlags(flags: Pick<UpFlags, "topology" | "cpus" | "services">): Promise<object> {
  const input = flags.topology ? await loadTopologyFile(flags.topology) : {};
  const withCpus = flags.cpus !== undefined ? { ...(input as object), cpus: flags.cpus } : input;
  const cpus = (withCpus as { cpus?: unknown }).cpus;
  return flags.services !== undefined ? { ...(withCpus as object), services: servicesFlag(flags.services, typeof cpus === "number" ? cpus : 4) } : (withCpus as object);
}

export async function upCommand(config: LabConfig, flags: UpFlags): Promise<void> {
  const t0 = performance.now();
  // Validate everything before touching Docker: bad input creates nothing.
  const merged = await topologyFlags(flags);
  const topology = resolveTopology(merged, flags.lab);
  // Legitimate (the paper's classic single system), but never by accident: said before anything starts.
  const unprotected = topology.services.filter((s) => s.backup === undefined).map((s) => s.name);
  if (unprotected.length > 0 && !flags.json) {
    process.stderr.write(`note: ${unprotected.join(", ")} ${unprotected.length === 1 ? "has" : "have"} no backup${topology.cpus.length === 1 ? " (one CPU: a classic single system, where a CPU failure stops every service until it is repaired)" : ""}\n`);
  }
  if (!flags.swarm && (flags.node?.length || flags.mirrorDir)) throw new UsageError(`--${flags.node?.length ? "node" : "mirror-dir"}: only with --swarm`);
  const swarm = flags.swarm ? { nodes: nodesFlag(flags.node ?? []), ...(flags.mirrorDir ? { mirrorDir: resolve(flags.mirrorDir) } : {}) } : undefined;

  const plumbing = await plumbingFor(config);
  const { images } = await buildImages(config, { quiet: flags.json ?? false });
  const lab = await up({ plumbing, images, topology, progress: flags.json ? () => undefined : progressLine, keepOnFailure: flags.keep ?? false, ...(swarm ? { swarm } : {}) });
  // Taken once every pair has booted, so the roles printed are the ones the runtime holds.
  const status = await lab.status({ live: true });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (flags.json) {
    console.log(JSON.stringify({ ...status, seconds: Number(seconds) }));
    return;
  }
  console.log(renderStatus(status));
  console.log(`\nlab ${flags.lab} is up in ${seconds}s. Each service is served by its primary; try:`);
  for (const s of status.services) if (s.url) console.log(`  ${s.name.padEnd(13)} ${pokeHint(s)}`);
  console.log(`see:   npx nonstop status --lab ${flags.lab}`);
  console.log(`stop:  npx nonstop down --lab ${flags.lab}`);
}

export async function statusCommand(config: LabConfig, flags: { lab: string; json?: boolean }): Promise<void> {
  const plumbing = await plumbingFor(config);
  const record = await readSystem(plumbing, flags.lab);
  if (record) return (await import("./app.js")).appStatusCommand(plumbing, flags.lab, record, flags.json ?? false);
  const status = await machineStatus(plumbing, flags.lab, { live: true });
  if (flags.json) {
    console.log(JSON.stringify(status));
    return;
  }
  if (!status.up) {
    console.log(`lab ${flags.lab} is not up (start it with 'npx nonstop up --lab ${flags.lab}')`);
    return;
  }
  console.log(renderStatus(status));
}

export async function downCommand(config: LabConfig, flags: { lab: string }): Promise<void> {
  const t0 = performance.now();
  const plumbing = await plumbingFor(config);
  if (await readSystem(plumbing, flags.lab)) return (await import("./app.js")).appDownCommand(plumbing, flags.lab);
  const r = await reap(plumbing, flags.lab);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.containers + r.networks + r.volumes === 0) console.log(`lab ${flags.lab} was not up`);
  else console.log(`lab ${flags.lab} is down in ${seconds}s: removed ${r.containers} containers, ${r.networks} networks, ${r.volumes} volumes`);
  reportLeftovers(r);
}

export async function logsCommand(config: LabConfig, name: string, flags: { lab: string; follow?: boolean; tail?: number }): Promise<void> {
  const plumbing = await plumbingFor(config);
  const where = partsOf(plumbing, flags.lab, await readLabRecord(plumbing, flags.lab));
  const parts = (await where.list()).filter((c) => c.role === "cpu" || c.role === "router");
  const part = parts.find((c) => c.name === name);
  if (!part) {
    const names = parts.map((c) => c.name).join(", ");
    throw new UsageError(names ? `logs: no part '${name}' in lab ${flags.lab}; parts are ${names}` : `logs: lab ${flags.lab} is not up`);
  }
  // On Swarm the part's container may be on another node: its engine serves the logs.
  const { plumbing: engine, id } = await where.locate(name);
  const tail = flags.tail !== undefined ? { tail: flags.tail } : {};
  if (flags.follow) {
    // Ctrl-C stops following; the lab is untouched.
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    await engine.container.followLogs(id, process.stdout, process.stderr, { ...tail, signal: stop.signal });
    return;
  }
  const { stdout, stderr } = await engine.container.logs(id, tail);
  process.stdout.write(stdout);
  process.stderr.write(stderr);
}
