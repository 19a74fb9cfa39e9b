// `nonstop images`: build (or confirm) the lab's images.
import { connectEngine } from "../docker/engine.js";
import type { LabConfig } from "../config.js";
import { ensureConfiguredImages, type ImageReport } from "../images/build.js";
import { progressLine, table } from "./output.js";

export async function buildImages(config: LabConfig, opts: { force?: boolean; quiet?: boolean } = {}): Promise<ImageReport> {
  const docker = await connectEngine({ host: config.dockerHost });
  return ensureConfiguredImages(docker, config, opts.quiet ? () => undefined : progressLine, opts.force ?? false);
}

export async function imagesCommand(config: LabConfig, opts: { force?: boolean; json?: boolean }): Promise<void> {
  const t0 = performance.now();
  const report = await buildImages(config, opts);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (opts.json) {
    console.log(JSON.stringify({ ...report, seconds: Number(seconds) }));
    return;
  }
  console.log(
    table([
      ["IMAGE", "TAG", "STATUS"],
      ...(Object.entries(report.images) as [keyof typeof report.images, string][]).map(([name, ref]) => [
        name,
        ref,
        report.built.includes(name) ? `built from ${report.bases[name] ?? "?"}` : "up to date",
      ]),
    ]),
  );
  console.log(`images ready in ${seconds}s`);
}
