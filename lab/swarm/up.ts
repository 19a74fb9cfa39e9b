// `nonstop up --swarm`: the machine deployed as a stack to the swarm this engine manages,
// from the same plan as one host (./stack.ts), then waited on exactly as one host is
// (waitForMachine). What Swarm adds: the nodes get placement slots, the images reach every
// node, the host's door is the port gate (./gate.ts), and each CPU task gets the lab's
// 10 ms CFS period once it runs.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { connectEngine } from "../docker/engine.js";
import { Plumbing, dockerName } from "../docker/plumbing.js";
import { LabError, MissingTool, UsageError, errorMessage } from "../errors.js";
import { labContext, readFaultContext } from "../faults/context.js";
import { imageExists, imageId } from "../images/engine-build.js";
import { readLabRecord } from "../machine/parts.js";
import { startedLab, type StartedLab } from "../machine/started.js";
import { waitForMachine, type BringUp } from "../machine/ready.js";
import type { SwarmOptions } from "./options.js";
import { Router, ROUTER_API_PORT } from "../router/router.js";
import type { Topology } from "../topology/types.js";
import { waitFor } from "../util/http.js";
import { gateProxies, gateSpec, GATE } from "./gate.js";
import { swarmParts } from "./parts.js";
import { SLOT_LABEL, configFile, generateStack, stackName, stackVips, serviceName } from "./stack.js";

const run = promisify(execFile);

/** Fails with a one-line usage error unless this engine manages a swarm. */
async function checkManager(plumbing: Plumbing): Promise<void> {
  const s = await plumbing.swarm.state();
  if (s.state !== "active") throw new UsageError(`--swarm: this Docker engine is not in a swarm (state ${s.state}); run 'docker swarm init' for one node, or point DOCKER_HOST at a manager`);
  if (!s.manager) throw new UsageError("--swarm: this Docker engine is a swarm worker; point DOCKER_HOST at a manager");
}

/**
 * Where the CPUs go: the node label `nonstop.slot=N` on the nodes that take them. Nodes that
 * already have one keep it (a user spreads the CPUs so); when none has one, every ready
 * node gets the next number, managers first. Checked whole before any node is labelled:
 * every node that will run a CPU must be this one or have an engine endpoint, and every
 * endpoint must name a node of this swarm.
 */
async function planPlacement(plumbing: Plumbing, cpus: number, endpoints: Record<string, string>): Promise<{ slots: number; spread: number; label: () => Promise<void> }> {
  const all = await plumbing.swarm.nodes();
  const unknown = Object.keys(endpoints).find((n) => !all.some((x) => x.hostname === n || x.id === n));
  if (unknown !== undefined) throw new UsageError(`--node: no node '${unknown}' in this swarm; its nodes are ${all.map((n) => n.hostname).join(", ")}`);
  const nodes = all.filter((n) => n.ready && n.availability === "active");
  const fresh = !nodes.some((n) => n.labels[SLOT_LABEL] !== undefined);
  const slotOf = (n: (typeof nodes)[number], k: number) => (fresh ? k : Number(n.labels[SLOT_LABEL] ?? -1));
  const slots = [...new Set(nodes.map(slotOf).filter((v) => v >= 0))].sort((a, b) => a - b);
  if (slots.some((v, k) => v !== k)) throw new UsageError(`--swarm: the nodes' ${SLOT_LABEL} labels must be 0, 1, … with none missing (found ${slots.join(", ")}); set them with 'docker node update --label-add ${SLOT_LABEL}=N NODE'`);
  const spread = Math.min(slots.length, cpus);
  const self = (await plumbing.swarm.state()).nodeId;
  const unreachable = nodes.find((n, k) => slotOf(n, k) >= 0 && slotOf(n, k) < spread && n.id !== self && !endpoints[n.hostname] && !endpoints[n.id]);
  if (unreachable) throw new UsageError(`--node: node ${unreachable.hostname} will run CPUs, and faults reach them through its engine; give --node ${unreachable.hostname}=tcp://HOST:2375 (or ssh://USER@HOST)`);
  const label = async () => {
    if (fresh) await Promise.all(nodes.map((n, k) => plumbing.swarm.labelNode(n.id, SLOT_LABEL, String(k))));
  };
  return { slots: slots.length, spread, label };
}

/** A /24 for the edge overlay that no network on this engine uses, so the service addresses are known before the stack exists. */
async function freeEdgeSubnet(plumbing: Plumbing): Promise<string> {
  const used = new Set<string>();
  for (const n of (await plumbing.docker.listNetworks()) as { IPAM?: { Config?: { Subnet?: string }[] } }[]) for (const c of n.IPAM?.Config ?? []) if (c.Subnet) used.add(c.Subnet);
  for (let k = 100; k < 250; k++) {
    const subnet = `10.213.${k}.0/24`;
    if (!used.has(subnet)) return subnet;
  }
  throw new LabError("--swarm: no free 10.213.100-249.0/24 for the lab's edge overlay");
}

/** Every node but this one needs the lab's images: there is no registry to pull them from, so they are sent over. */
async function shareImages(plumbing: Plumbing, nodes: Record<string, string>, images: string[], progress: (l: string) => void): Promise<void> {
  for (const [name, endpoint] of Object.entries(nodes)) {
    const remote = new Plumbing(await connectEngine({ host: endpoint }));
    for (const image of images) {
      if (await imageExists(remote.docker, image)) continue;
      progress(`sending ${image} to node ${name}`);
      const stream = await plumbing.docker.getImage(image).get();
      await new Promise<void>((resolve, reject) => {
        void remote.docker.loadImage(stream).then((out) => {
          out.on("end", resolve);
          out.on("error", reject);
          out.resume();
        }, reject);
      });
    }
  }
}

async function idOf(plumbing: Plumbing, image: string): Promise<string> {
  const id = await imageId(plumbing.docker, image);
  if (!id) throw new LabError(`image ${image} is not on this engine; 'npx nonstop images' builds it`);
  return id;
}

async function deploy(t: Topology, files: ReturnType<typeof generateStack>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `nonstop-${t.lab}-stack-`));
  try {
    await writeFile(join(dir, "docker-stack.yml"), files["docker-stack.yml"]);
    for (const [router, text] of Object.entries(files.configs)) await writeFile(join(dir, configFile(router)), text);
    // No registry: every node already has the images, so they are not resolved against one.
    await run("docker", ["stack", "deploy", "--resolve-image", "never", "-c", "docker-stack.yml", stackName(t.lab)], { cwd: dir, timeout: 120_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new MissingTool("docker", "docker.io", "the docker CLI deploys the stack: docker stack deploy");
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new LabError(`docker stack deploy failed: ${stderr || errorMessage(err)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function upSwarm(opts: BringUp, swarm: SwarmOptions): Promise<StartedLab> {
  const { plumbing, topology: t, progress } = opts;
  const timeoutMs = opts.timeoutMs ?? 90_000;
  await checkManager(plumbing);
  // A second `up` of a lab already deployed only waits for it, as on one host.
  const existing = await readLabRecord(plumbing, t.lab);
  if (existing) {
    if (existing.engine !== "swarm") throw new UsageError(`lab '${t.lab}' is already up on this host, not on Swarm; run 'nonstop down --lab ${t.lab}' first, or pick another --lab`);
    await waitForMachine(plumbing, t, progress, timeoutMs, opts.signal);
    return startedLab(await readFaultContext(plumbing, t.lab), true);
  }
  const nodes = swarm.nodes ?? {};
  const { slots, spread, label } = await planPlacement(plumbing, t.cpus.length, nodes);
  if (spread > 1 && !swarm.mirrorDir) {
    throw new UsageError(`--swarm: the CPUs would spread over ${spread} nodes, and a local volume (the mirrors' default) is on one node only; give --mirror-dir DIR, a directory every node mounts at the same path (docs/scale.md), or label one node only: docker node update --label-add ${SLOT_LABEL}=0 NODE`);
  }
  // Everything is checked; from here on the lab is made.
  await label();
  progress(`lab ${t.lab}: ${t.cpus.length} CPUs as a Swarm stack over ${spread} node${spread === 1 ? "" : "s"}`);
  await shareImages(plumbing, nodes, [opts.images.cpu, opts.images.router], progress);
  // A new lab's mirrors start blank, as a new local volume does: a directory left by an
  // earlier lab of the same id would hand this one its pair records.
  const mirrorDir = swarm.mirrorDir;
  if (mirrorDir) {
    await rm(join(mirrorDir, t.lab), { recursive: true, force: true });
    await Promise.all(t.disks.map((d) => mkdir(join(mirrorDir, t.lab, d.name), { recursive: true })));
  }

  const takeover = swarm.takeover ?? "repoint";
  const edgeSubnet = takeover === "address" ? await freeEdgeSubnet(plumbing) : undefined;
  const vips = stackVips(t, { takeover, ...(edgeSubnet ? { edgeSubnet } : {}) });
  // By image ID, not name: a Swarm node pulls a named image from Docker Hub before every
  // task (then falls back to its own copy), which is traffic the lab must not send and a
  // wait whenever the registry is slow to refuse; an ID is never pulled. `docker save`
  // and `load` keep the ID, so it names the same image on every node.
  const byId = { cpu: await idOf(plumbing, opts.images.cpu), router: await idOf(plumbing, opts.images.router) };
  const files = generateStack(t, byId, {
    takeover,
    ...(edgeSubnet ? { edgeSubnet } : {}),
    slots,
    nodes,
    ...(mirrorDir ? { mirror: { driver: "local", perMirror: (m: string) => ({ type: "none", o: "bind", device: join(mirrorDir, t.lab, m) }) } } : {}),
  });
  opts.signal?.throwIfAborted();
  progress(`deploying stack ${stackName(t.lab)}`);
  await deploy(t, files);

  // The host's door: the gate joins the edge overlay (attachable) and publishes on 127.0.0.1.
  const edgeId = await plumbing.swarm.networkId(dockerName(t.lab, t.edge.network));
  const gateId = await plumbing.container.create(gateSpec(t, opts.images.router, edgeId));
  await plumbing.container.start(gateId);
  const gatePort = (await plumbing.container.inspect(gateId)).ports.find((p) => p.container === ROUTER_API_PORT);
  if (!gatePort) throw new LabError(`${GATE} publishes no API port`);
  const gate = new Router(`http://127.0.0.1:${gatePort.hostPort}`);
  await waitFor(`${GATE} API`, () => gate.version().then(() => true), timeoutMs, 50, opts.signal);
  await gate.ensureProxies(gateProxies(t));

  const record = { topology: t, engine: "swarm" as const, nodes };
  const parts = swarmParts(plumbing, record);
  progress(`waiting for ${t.cpus.length + t.planes.length + 1} services to run a task`);
  await Promise.all(
    t.cpus.map(async (c) => {
      const task = await waitFor(
        `${c.name}'s task to run`,
        async () => (await plumbing.swarm.tasks(serviceName(t.lab, c.name))).find((k) => k.state === "running" && k.containerId),
        timeoutMs,
        200,
        opts.signal,
      );
      // Swarm's `cpus` would be a 100 ms period; the lab's quota is a 10 ms one (../docker/model.ts).
      const where = await parts.locate(c.name);
      if (task.containerId) await where.plumbing.container.setCpus(where.id, c.cpus);
    }),
  );
  await waitForMachine(plumbing, t, progress, timeoutMs, opts.signal);
  return startedLab(labContext(plumbing, t, opts.images.cpu, vips, parts), true);
}
