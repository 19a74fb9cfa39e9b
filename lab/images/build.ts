// `nonstop images`: the lab's three images, tagged by a hash of their inputs so a warm
// build is a no-op. Each Dockerfile names its official base as an ARG default; when that
// cannot be pulled, a local equivalent is built (./offline.ts) and passed in its place.
import type Docker from "dockerode";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LabError } from "../errors.js";
import { inputsHash } from "../util/hash.js";
import { bundleRuntime } from "./bundle.js";
import { buildTools } from "./tools.js";
import { buildDir, imageExists, imageId, tagImage, tryPull, type Progress } from "./engine-build.js";
import { ensureLocalNode, ensureLocalToxiproxy, offlineNodeKey, TOXIPROXY_VERSION } from "./offline.js";

export const IMAGE_NAMES = ["base", "cpu", "router"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ImageSet {
  base: string;
  cpu: string;
  router: string;
}

export interface ImageOptions {
  docker: Docker;
  /** The project root (holds images/ and runtime/). */
  rootDir: string;
  cacheDir: string;
  /** Skip registry pulls and build local equivalents straight away. */
  offline: boolean;
  /** Rebuild even when the content-hash tag exists. */
  force: boolean;
  pullTimeoutMs: number;
  progress: Progress;
}

export interface ImageReport {
  images: ImageSet;
  /** Which images were built this time (empty on a warm run). */
  built: ImageName[];
  /** The base each built image came from. */
  bases: Partial<Record<ImageName, string>>;
}

/** The image step as configured at the edge (environment), quietly unless told otherwise. */
export function ensureConfiguredImages(
  docker: Docker,
  config: { rootDir: string; cacheDir: string; offline: boolean; pullTimeoutMs: number },
  progress: Progress = () => undefined,
  force = false,
): Promise<ImageReport> {
  return ensureImages({ docker, rootDir: config.rootDir, cacheDir: config.cacheDir, offline: config.offline, pullTimeoutMs: config.pullTimeoutMs, force, progress });
}

/** The `ARG NAME=default` of a Dockerfile: the official base it names. */
export function argDefault(dockerfile: string, name: string): string {
  const m = new RegExp(`^ARG\\s+${name}=(\\S+)`, "m").exec(dockerfile);
  if (!m?.[1]) throw new LabError(`Dockerfile has no 'ARG ${name}=<default>'`);
  return m[1];
}

async function resolveOfficial(opts: ImageOptions, official: string, name: string): Promise<string | undefined> {
  if (await imageExists(opts.docker, official)) return official;
  if (opts.offline) return undefined;
  opts.progress(`${name}: pulling ${official}`);
  return (await tryPull(opts.docker, official, opts.pullTimeoutMs, (l) => opts.progress(`${name}: ${l}`))) ? official : undefined;
}

async function ensureAlias(docker: Docker, ref: string, alias: string): Promise<void> {
  if ((await imageId(docker, alias)) !== (await imageId(docker, ref))) await tagImage(docker, ref, alias);
}

async function buildFromDockerfile(
  opts: ImageOptions,
  name: ImageName,
  tag: string,
  dockerfile: string,
  buildargs: Record<string, string>,
  extra: (dir: string) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), `nonstop-${name}-`));
  try {
    await writeFile(join(work, "Dockerfile"), dockerfile);
    await extra(work);
    await buildDir(
      opts.docker,
      work,
      { tags: [tag], buildargs, labels: { "nonstop.image": name, ...Object.fromEntries(Object.entries(buildargs).map(([k, v]) => [`nonstop.arg.${k}`, v])) } },
      // Docker's legacy builder narrates every intermediate container; the steps are enough.
      (l) => {
        if (/^Step \d+\/\d+|^Successfully tagged/.test(l)) opts.progress(`${name}: ${l}`);
      },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function ensureImages(opts: ImageOptions): Promise<ImageReport> {
  const built: ImageName[] = [];
  const bases: Partial<Record<ImageName, string>> = {};
  const offlineCtx = { docker: opts.docker, imagesDir: join(opts.rootDir, "images"), cacheDir: opts.cacheDir, progress: opts.progress };
  const read = (name: string) => readFile(join(opts.rootDir, "images", name, "Dockerfile"), "utf8");

  // base: the Node runtime.
  const baseFile = await read("base");
  const nodeOfficial = argDefault(baseFile, "NODE_BASE");
  const base = `nonstop-lab/base:${inputsHash([baseFile, nodeOfficial, await offlineNodeKey()])}`;
  if (opts.force || !(await imageExists(opts.docker, base))) {
    const from = (await resolveOfficial(opts, nodeOfficial, "base")) ?? (await ensureLocalNode(offlineCtx));
    opts.progress(`base: building from ${from}`);
    await buildFromDockerfile(opts, "base", base, baseFile, { NODE_BASE: from });
    built.push("base");
    bases.base = from;
  }

  // cpu: base plus the runtime bundle.
  const cpuFile = await read("cpu");
  const bundle = await bundleRuntime(opts.rootDir, join(opts.rootDir, "build", "runtime"));
  const tools = await buildTools(opts.rootDir, join(opts.cacheDir, "tools"));
  const cpu = `nonstop-lab/cpu:${inputsHash([cpuFile, base, bundle.hash, tools.hash])}`;
  if (opts.force || !(await imageExists(opts.docker, cpu))) {
    opts.progress(`cpu: building from ${base} with runtime bundle ${bundle.hash}`);
    await buildFromDockerfile(opts, "cpu", cpu, cpuFile, { BASE: base }, async (dir) => {
      await cp(bundle.dir, join(dir, "runtime"), { recursive: true });
      await mkdir(join(dir, "tools"));
      await cp(join(tools.dir, "nonstop-netem"), join(dir, "tools", "nonstop-netem"));
    });
    built.push("cpu");
    bases.cpu = base;
  }

  // router: Toxiproxy.
  const routerFile = await read("router");
  const toxOfficial = argDefault(routerFile, "TOXIPROXY_BASE");
  const patch = await readFile(join(opts.rootDir, "images", "router", "accept-dial.patch"));
  const router = `nonstop-lab/router:${inputsHash([routerFile, toxOfficial, TOXIPROXY_VERSION, patch])}`;
  if (opts.force || !(await imageExists(opts.docker, router))) {
    // Always the patched build, never the official image: the official server dials each
    // upstream inside its accept loop (images/router/accept-dial.patch says why that matters).
    const from = await ensureLocalToxiproxy(offlineCtx);
    opts.progress(`router: building from ${from}`);
    await buildFromDockerfile(opts, "router", router, routerFile, { TOXIPROXY_BASE: from });
    built.push("router");
    bases.router = from;
  }

  // Stable names for docker-compose.yml and for people typing `docker run`.
  for (const ref of [base, cpu, router]) await ensureAlias(opts.docker, ref, ref.replace(/:[^:]+$/, ":latest"));
  return { images: { base, cpu, router }, built, bases };
}
