// A user's Compose project under the lab as one typed handle, the counterpart of the
// machine's StartedLab (../machine/started.ts): `upApp()` brings the project up and owns
// it; `attachApp()` adopts a running one. Both give fault sessions on the project (its
// kinds: container.*, net.*, process.kill, disk.*) and dispose with `await using`.
//
//   await using app = await upApp({ file: "docker-compose.yml", lab: "shop" });
//   await using faults = app.faults();
//   await faults.inject({ kind: "net.delay", target: "db", ms: 300, jitterMs: 0 });
import { HandleSessions, type FaultEventSink, type FaultSession } from "../faults/inject.js";
import type { FaultTarget } from "../faults/target.js";
import type { Plumbing } from "../docker/plumbing.js";
import type { ImageSet } from "../images/build.js";
import { configFromEnv } from "../config.js";
import { systemImageMaker } from "../images/systems.js";
import { withDefaults } from "../machine/defaults.js";
import { UsageError } from "../errors.js";
import { appStatus, attachCompose, downApp, upCompose, type AppStatus } from "./lifecycle.js";
import { appContainers, type AppContainer, type SystemRecord } from "./system.js";
import { declareLinks, type LinkSpec } from "./faults/link.js";
import { readAppTarget } from "./target.js";

export interface StartedApp extends AsyncDisposable {
  readonly id: string;
  readonly project: string;
  /** Whether disposing takes the project down (upApp) or leaves it running (attachApp). */
  readonly owned: boolean;
  readonly target: FaultTarget;
  /** The project's containers now, by target name (api, api.2, store). */
  containers(): Promise<AppContainer[]>;
  status(): Promise<AppStatus>;
  faults(onEvent?: FaultEventSink): FaultSession;
  /** Puts the lab's Toxiproxy router on these links now, for link.* faults to act on (a scenario's `links:`). */
  declareLinks(links: readonly LinkSpec[]): Promise<void>;
  /** Heals every fault, removes the project if the lab brought it up, and everything the lab made. */
  down(): Promise<void>;
}

interface Common {
  plumbing?: Plumbing;
  images?: ImageSet;
}

async function handle(plumbing: Plumbing, lab: string, record: SystemRecord): Promise<StartedApp> {
  const app = await readAppTarget(plumbing, lab);
  if (!app) throw new UsageError(`lab ${lab} has no Compose project`);
  const sessions = new HandleSessions(app.target);
  let removed: Promise<void> | undefined;
  const down = () =>
    (removed ??= (async () => {
      await sessions.healAll();
      await downApp(plumbing, lab);
    })());
  return {
    id: lab,
    project: record.project,
    owned: record.owned,
    target: app.target,
    containers: () => appContainers(plumbing, record.project),
    status: () => appStatus(plumbing, lab, record),
    faults: (onEvent) => sessions.session(onEvent),
    declareLinks: (links) => declareLinks(app.ctx, links),
    down,
    // An adopted project stays up, and so does its lab record: only this handle's faults are healed.
    [Symbol.asyncDispose]: async () => {
      if (record.owned) await down();
      else await sessions.healAll();
    },
  };
}

/** Brings a Compose project up under the lab (see `nonstop up --compose`). */
export async function upApp(opts: Common & { file: string; lab?: string; project?: string; keep?: boolean; progress?: (line: string) => void; vars?: Record<string, string> }): Promise<StartedApp> {
  const { plumbing, images } = await withDefaults(opts);
  const { lab, record } = await upCompose({ plumbing, docker: plumbing.docker, file: opts.file, ...(opts.lab ? { lab: opts.lab } : {}), ...(opts.project ? { project: opts.project } : {}), toolImage: images.cpu, routerImage: images.router, nodeImage: images.base, systemImages: systemImageMaker(plumbing.docker, configFromEnv()), ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.keep ? { keep: true } : {}), ...(opts.vars ? { vars: opts.vars } : {}) });
  return handle(plumbing, lab, record);
}

/** Adopts a running Compose project (see `nonstop attach`). */
export async function attachApp(opts: Common & { project: string; lab?: string }): Promise<StartedApp> {
  const { plumbing, images } = await withDefaults(opts);
  const { lab, record } = await attachCompose({ plumbing, project: opts.project, ...(opts.lab ? { lab: opts.lab } : {}), toolImage: images.cpu, routerImage: images.router });
  return handle(plumbing, lab, record);
}
