// Image verbs on the Engine API: pull with a deadline, build a context directory, tag,
// import a rootfs tarball. Progress lines are handed to the caller as they arrive.
import type Docker from "dockerode";
import { readdir } from "node:fs/promises";
import type { Readable } from "node:stream";
import { LabError, errorMessage } from "../errors.js";

export type Progress = (line: string) => void;

interface ProgressEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

function follow(docker: Docker, stream: NodeJS.ReadableStream, progress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (ev: ProgressEvent) => {
        if (ev.error) failure = ev.errorDetail?.message ?? ev.error;
        const text = (ev.stream ?? (ev.status ? `${ev.id ? `${ev.id}: ` : ""}${ev.status}` : "")).trimEnd();
        if (text) for (const line of text.split("\n")) progress(line);
      },
    );
  });
}

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch {
    return undefined;
  }
}

/** Tries to pull `ref`; false (never a throw) when no registry answers in time. */
export async function tryPull(docker: Docker, ref: string, timeoutMs: number, progress: Progress): Promise<boolean> {
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([
      (async () => {
        const stream = await docker.pull(ref);
        await follow(docker, stream, () => undefined);
      })(),
      deadline,
    ]);
    return true;
  } catch (err) {
    progress(`could not pull ${ref}: ${errorMessage(err).split("\n")[0]}`);
    return false;
  }
}

export interface BuildOptions {
  /** First tag is the content-hash tag; the rest are aliases such as :latest. */
  tags: string[];
  dockerfile?: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Builds the context directory `dir` (every file in it) and tags the result. */
export async function buildDir(docker: Docker, dir: string, opts: BuildOptions, progress: Progress): Promise<string> {
  const [tag, ...aliases] = opts.tags;
  if (!tag) throw new LabError("buildDir needs at least one tag");
  const src = (await readdir(dir, { recursive: true })).map(String);
  const stream = await docker.buildImage(
    { context: dir, src },
    {
      t: tag,
      dockerfile: opts.dockerfile ?? "Dockerfile",
      buildargs: opts.buildargs ?? {},
      labels: opts.labels ?? {},
      rm: true,
      forcerm: true,
      pull: false,
    },
  );
  try {
    await follow(docker, stream, progress);
  } catch (err) {
    throw new LabError(`building ${tag} failed: ${errorMessage(err)}`);
  }
  for (const alias of aliases) await tag_(docker, tag, alias);
  return tag;
}

async function tag_(docker: Docker, source: string, target: string): Promise<void> {
  const [repo, tagName] = splitRef(target);
  await docker.getImage(source).tag({ repo, tag: tagName });
}
export { tag_ as tagImage };

export function splitRef(ref: string): [string, string] {
  const i = ref.lastIndexOf(":");
  if (i <= 0 || ref.slice(i).includes("/")) return [ref, "latest"];
  return [ref.slice(0, i), ref.slice(i + 1)];
}

/** `docker import` of a rootfs tarball stream. */
export async function importRootfs(docker: Docker, tarball: Readable, ref: string, progress: Progress): Promise<void> {
  const [repo, tag] = splitRef(ref);
  const stream = await docker.importImage(tarball, { repo, tag });
  await follow(docker, stream, progress);
}
