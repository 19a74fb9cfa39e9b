// A user's Compose project as a lab: brought up under the lab's labels, or adopted while
// it runs; its status; and down, which removes what the lab created and only that.
import type Docker from "dockerode";
import { isLabId } from "../docker/labels.js";
import type { Plumbing } from "../docker/plumbing.js";
import { reap, type ReapResult } from "../docker/reap.js";
import { LabError, UsageError, errorMessage } from "../errors.js";
import { healAll } from "../faults/inject.js";
import type { Progress } from "../images/engine-build.js";
import { buildMissing } from "./build.js";
import { composeDown, composeUp, loadCompose, type ComposeEnv } from "./compose.js";
import { appContainers, writeSystem, type AppContainer, type SystemRecord } from "./system.js";
import { readAppTarget } from "./target.js";

export interface AppLabOptions {
  plumbing: Plumbing;
  /** The lab's tool image (helpers, records): the cpu image. */
  toolImage: string;
  /** The lab's router image (Toxiproxy), for link faults. */
  routerImage?: string;
  /** The lab's Node image, offered to the project's build args as NONSTOP_NODE_IMAGE. */
  nodeImage?: string;
  /** Makes the NONSTOP_<NAME>_IMAGE images a project's files mention (../images/systems.ts). */
  systemImages?: (files: readonly string[], progress: Progress) => Promise<Record<string, string>>;
  progress?: Progress;
}

async function refuseTakenLab(plumbing: Plumbing, lab: string): Promise<void> {
  if ((await plumbing.labs()).includes(lab)) throw new UsageError(`--lab: lab ${lab} is already up; pick another id, or take it down first: nonstop down --lab ${lab}`);
}

/** A lab id from a Compose project's name, when one fits; otherwise the user must give --lab. */
function labFor(project: string, lab: string | undefined): string {
  const id = lab ?? project;
  if (!isLabId(id)) throw new UsageError(`--lab: project name '${project}' is not a lab id (lowercase letters, digits and '-', at most 31); give one with --lab`);
  return id;
}

/**
 * `nonstop up --compose FILE`: validates the file with Compose, builds what it must, then
 * brings the project up with the lab's labels and waits for it to be running and
 * healthy. The lab's record is written first, so that even a failed or killed up leaves
 * nothing `nonstop down` and `reap` cannot find; a failed up removes what it made unless
 * `keep` is set.
 */
export async function upCompose(opts: AppLabOptions & { docker: Docker; file: string; lab?: string; project?: string; keep?: boolean; vars?: Record<string, string> }): Promise<{ lab: string; record: SystemRecord }> {
  const progress = opts.progress ?? (() => undefined);
  const env: ComposeEnv = { ...(opts.nodeImage ? { nodeImage: opts.nodeImage } : {}), ...(opts.vars ? { vars: opts.vars } : {}) };
  let project = await loadCompose(opts.file, env, opts.project);
  const lab = labFor(project.name, opts.lab);
  await refuseTakenLab(opts.plumbing, lab);
  const running = await appContainers(opts.plumbing, project.name);
  if (running.length > 0) throw new UsageError(`--compose: project ${project.name} is already running (${running.length} containers); adopt it with: nonstop attach --compose-project ${project.name}`);
  // Valid as written: now the Debian images it asks for, and its model again with them as its build args.
  const systemImages = opts.systemImages ? await opts.systemImages(project.files, progress) : {};
  if (Object.keys(systemImages).length > 0) {
    env.systemImages = systemImages;
    project = await loadCompose(opts.file, env, opts.project);
  }
  await buildMissing(opts.docker, project, progress);
  const record: SystemRecord = { kind: "compose", project: project.name, files: project.files, owned: true, since: Date.now(), ...(opts.routerImage ? { routerImage: opts.routerImage } : {}) };
  await writeSystem(opts.plumbing, opts.toolImage, lab, record);
  try {
    progress(`compose: up ${project.name} (waiting for every service to run, and the healthchecks to pass)`);
    await composeUp(project, lab, env);
  } catch (err) {
    if (!opts.keep) await downApp(opts.plumbing, lab).catch(() => undefined);
    throw new LabError(`${errorMessage(err)}${opts.keep ? `; left as it is for a look (remove it: nonstop down --lab ${lab})` : "; removed what it made"}`);
  }
  return { lab, record };
}

/** `nonstop attach --compose-project NAME`: adopts a running project; the lab labels nothing of it. */
export async function attachCompose(opts: AppLabOptions & { project: string; lab?: string }): Promise<{ lab: string; record: SystemRecord }> {
  const lab = labFor(opts.project, opts.lab);
  const containers = await appContainers(opts.plumbing, opts.project);
  if (containers.length === 0) throw new UsageError(`--compose-project: no running project '${opts.project}' (docker compose ls lists them)`);
  const down = containers.filter((c) => c.container.state !== "running");
  if (down.length === containers.length) throw new UsageError(`--compose-project: no container of ${opts.project} is running`);
  const owner = containers.find((c) => c.container.lab)?.container.lab;
  if (owner) throw new UsageError(`--compose-project: ${opts.project} belongs to lab ${owner} already (nonstop status --lab ${owner})`);
  await refuseTakenLab(opts.plumbing, lab);
  const record: SystemRecord = { kind: "compose", project: opts.project, files: [], owned: false, since: Date.now(), ...(opts.routerImage ? { routerImage: opts.routerImage } : {}) };
  await writeSystem(opts.plumbing, opts.toolImage, lab, record);
  return { lab, record };
}

/**
 * Takes an app lab down: heals every fault on the user's containers first (a paused,
 * throttled or partitioned container is never left behind), removes the project if the
 * lab brought it up, then everything else the lab labelled. An adopted project keeps
 * running, untouched.
 */
export async function downApp(plumbing: Plumbing, lab: string): Promise<ReapResult & { project?: string; owned?: boolean }> {
  const app = await readAppTarget(plumbing, lab).catch(() => undefined);
  if (app) {
    await healAll(app.target).catch(() => undefined);
    if (app.record.owned) await composeDown(app.record.project);
  }
  const r = await reap(plumbing, lab);
  return app ? { ...r, project: app.record.project, owned: app.record.owned } : r;
}

/** Heals what faults a lab holds on a user's containers; reap runs it before removing anything. */
export async function healAppLab(plumbing: Plumbing, lab: string): Promise<void> {
  const app = await readAppTarget(plumbing, lab).catch(() => undefined);
  if (app) await healAll(app.target).catch(() => undefined);
}

export interface AppStatus {
  lab: string;
  project: string;
  owned: boolean;
  containers: {
    target: string;
    service: string;
    container: string;
    state: string;
    health: string;
    addresses: Record<string, string>;
    ports: string[];
  }[];
}

export async function appStatus(plumbing: Plumbing, lab: string, record: SystemRecord): Promise<AppStatus> {
  const cs: AppContainer[] = await appContainers(plumbing, record.project);
  return {
    lab,
    project: record.project,
    owned: record.owned,
    containers: cs.map((c) => ({
      target: c.target,
      service: c.service,
      container: c.container.containerName,
      state: c.container.state,
      health: c.container.health,
      addresses: c.container.addresses,
      ports: c.container.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.container}`),
    })),
  };
}
