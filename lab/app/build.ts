// The images of a user's project that Compose would build. `docker compose build` needs
// buildx 0.17 or later, which Debian's docker.io does not ship, so the lab builds each
// `build:` service through the Engine API instead, exactly as its own images are built:
// the context folder, the Dockerfile, the build args as Compose resolved them. An image
// already present is left alone (Compose's own rule for `up` without `--build`).
import type Docker from "dockerode";
import { isAbsolute, relative } from "node:path";
import { buildDir, imageExists, type Progress } from "../images/engine-build.js";
import type { ComposeProject } from "./compose.js";

/** The image Compose runs for a service: its `image:`, or `<project>-<service>` when it only has `build:`. */
export function imageOf(p: ComposeProject, service: string): string {
  return p.model.services[service]?.image ?? `${p.name}-${service}`;
}

/** Builds every `build:` service whose image is missing; returns the images built. */
export async function buildMissing(docker: Docker, p: ComposeProject, progress: Progress): Promise<string[]> {
  const built: string[] = [];
  for (const [service, s] of Object.entries(p.model.services)) {
    if (!s.build) continue;
    const image = imageOf(p, service);
    // Two services often share one image (replicas of one app): build it once.
    if (built.includes(image) || (await imageExists(docker, image))) continue;
    const args = Object.fromEntries(Object.entries(s.build.args ?? {}).filter((e): e is [string, string] => e[1] !== null));
    progress(`${service}: building ${image} from ${s.build.context}`);
    const dockerfile = s.build.dockerfile ?? "Dockerfile";
    await buildDir(docker, s.build.context, { tags: [image], dockerfile: isAbsolute(dockerfile) ? relative(s.build.context, dockerfile) : dockerfile, buildargs: args }, (l) => {
      if (/^Step \d+\/\d+|^Successfully tagged/.test(l)) progress(`${service}: ${l}`);
    });
    built.push(image);
  }
  return built;
}
