// `nonstop up --compose | attach | status | down` for a lab whose system is a user's
// Compose project.
import type { LabConfig } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { appStatus, attachCompose, downApp, upCompose, type AppStatus } from "../app/lifecycle.js";
import type { SystemRecord } from "../app/system.js";
import { systemImageMaker } from "../images/systems.js";
import { buildImages } from "./images.js";
import { progressLine, table } from "./output.js";
import { reportLeftovers } from "./reap.js";

export function renderAppStatus(s: AppStatus): string {
  return [
    `lab ${s.lab}: Compose project ${s.project} (${s.owned ? "brought up by the lab" : "adopted; down leaves it running"})`,
    "",
    table([["TARGET", "CONTAINER", "STATE", "HEALTH", "ADDRESSES", "PORTS"], ...s.containers.map((c) => [c.target, c.container, c.state, c.health, Object.entries(c.addresses).map(([n, a]) => `${a} (${n})`).join(", ") || "-", c.ports.join(", ") || "-"])]),
  ].join("\n");
}

async function print(plumbing: Plumbing, lab: string, record: SystemRecord, json: boolean, seconds?: string): Promise<void> {
  const status = await appStatus(plumbing, lab, record);
  if (json) {
    console.log(JSON.stringify({ ...status, ...(seconds ? { seconds: Number(seconds) } : {}) }));
    return;
  }
  console.log(renderAppStatus(status));
  if (seconds) {
    console.log(`\nlab ${lab} is up in ${seconds}s. Break it, for example:`);
    const first = status.containers[0]?.target ?? "SERVICE";
    console.log(`  npx nonstop fault container.kill ${first} --lab ${lab}`);
    console.log(`  npx nonstop fault net.delay ${first} --ms 300 --for 30s --lab ${lab}`);
    console.log(`see:   npx nonstop status --lab ${lab}     faults: npx nonstop faults --lab ${lab}`);
    console.log(`stop:  npx nonstop down --lab ${lab}`);
  }
}

export async function upComposeCommand(config: LabConfig, flags: { compose: string; lab?: string; projectName?: string; json?: boolean; keep?: boolean }): Promise<void> {
  const t0 = performance.now();
  const docker = await connectEngine({ host: config.dockerHost });
  const plumbing = new Plumbing(docker);
  const { images } = await buildImages(config, { quiet: flags.json ?? false });
  const progress = flags.json ? () => undefined : progressLine;
  const { lab, record } = await upCompose({ plumbing, docker, file: flags.compose, ...(flags.lab ? { lab: flags.lab } : {}), ...(flags.projectName ? { project: flags.projectName } : {}), toolImage: images.cpu, routerImage: images.router, nodeImage: images.base, systemImages: systemImageMaker(docker, config), progress, keep: flags.keep ?? false });
  await print(plumbing, lab, record, flags.json ?? false, ((performance.now() - t0) / 1000).toFixed(1));
}

export async function attachCommand(config: LabConfig, flags: { composeProject: string; lab?: string; json?: boolean }): Promise<void> {
  const plumbing = new Plumbing(await connectEngine({ host: config.dockerHost }));
  const { images } = await buildImages(config, { quiet: true });
  const { lab, record } = await attachCompose({ plumbing, project: flags.composeProject, ...(flags.lab ? { lab: flags.lab } : {}), toolImage: images.cpu, routerImage: images.router });
  await print(plumbing, lab, record, flags.json ?? false);
  if (!flags.json) console.log(`\nlab ${lab} adopted project ${record.project}; 'npx nonstop down --lab ${lab}' heals its faults and leaves it running`);
}

export async function appStatusCommand(plumbing: Plumbing, lab: string, record: SystemRecord, json: boolean): Promise<void> {
  await print(plumbing, lab, record, json);
}

export async function appDownCommand(plumbing: Plumbing, lab: string): Promise<void> {
  const t0 = performance.now();
  const r = await downApp(plumbing, lab);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const what = r.owned ? `project ${r.project} removed` : `project ${r.project} left running, its faults healed`;
  console.log(`lab ${lab} is down in ${seconds}s: ${what}; removed ${r.containers} lab containers, ${r.networks} networks, ${r.volumes} volumes`);
  reportLeftovers(r);
}
