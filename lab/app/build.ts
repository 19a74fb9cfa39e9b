// The images of a user's project that Compose would build. `docker compose build` needs
// buildx 0.17 or later, which Debian's docker.io does not ship, so the lab builds each
// `build:` service through the Engine API instead, exactly as its own images are built:
// the context folder, the Dockerfile, the build args as Compose resolved them. An image
// the lab built is rebuilt when its context changed (it carries the context's hash as a
// label), so an edited service runs its new code; an image the user built is left alone.
import type Docker from "dockerode";
import { readFile, readdir } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { buildDir, type Progress } from "../images/engine-build.js";
import { inputsHash } from "../util/hash.js";
import type { ComposeProject } from "./compose.js";

/** The image Compose runs for a service: its `image:`, or `<project>-<service>` when it only has `build:`. */
export function imageOf(p: ComposeProject, service: string): string {
  return p.model.services[service]?.image ?? `${p.name}-${service}`;
}

const LABEL_CONTEXT = "nonstop.context";

/** The hash of a build context: every file's path and bytes, version control and dependencies aside. */
async function contextHash(dir: string, args: Record<string, string>, dockerfile: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => !f.split("/").some((p) => p === ".git" || p === "node_modules"))
    .sort();
  const parts: (string | Buffer)[] = [dockerfile, JSON.stringify(args)];
  for (const f of files) parts.push(f, await readFile(join(dir, f)));
  return inputsHash(parts);
}

/** What the engine knows of an image: absent, built by the user, or built by the lab from a context. */
async function imageState(docker: Docker, ref: string): Promise<{ present: boolean; context?: string }> {
  try {
    const labels = (await docker.getImage(ref).inspect()).Config.Labels ?? {};
    return { present: true, ...(labels[LABEL_CONTEXT] ? { context: labels[LABEL_CONTEXT] } : {}) };
  } catch {
    return { present: false };
  }
}

/** Builds every `build:` service whose image is missing or, if the lab built it, stale; returns the images built. */
export async function buildMissing(docker: Docker, p: ComposeProject, progress: Progress): Promise<string[]> {
  const built: string[] = [];
  for (const [service, s] of Object.entries(p.model.services)) {
    if (!s.build) continue;
    const image = imageOf(p, service);
    // Two services often share one image (replicas of one app): build it once.
    if (built.includes(image)) continue;
    const args = Object.fromEntries(Object.entries(s.build.args ?? {}).filter((e): e is [string, string] => e[1] !== null));
    const dockerfile = s.build.dockerfile ?? "Dockerfile";
    const hash = await contextHash(s.build.context, args, dockerfile);
    const now = await imageState(docker, image);
    if (now.present && (now.context === undefined || now.context === hash)) continue;
    progress(`${service}: building ${image} from ${s.build.context}`);
    await buildDir(docker, s.build.context, { tags: [image], dockerfile: isAbsolute(dockerfile) ? relative(s.build.context, dockerfile) : dockerfile, buildargs: args, labels: { [LABEL_CONTEXT]: hash } }, (l) => {
      if (/^Step \d+\/\d+|^Successfully tagged/.test(l)) progress(`${service}: ${l}`);
    });
    built.push(image);
  }
  return built;
}
