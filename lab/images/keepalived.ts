// The keepalived image, for the side-by-side takeover benchmark. Always Debian's package
// (there is no official image): a bookworm rootfs with keepalived from mmdebstrap, then
// images/keepalived/Dockerfile on top. Tagged by a hash of its inputs, so a warm call is a
// lookup.
import type Docker from "dockerode";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inputsHash } from "../util/hash.js";
import { buildDir, imageExists, type Progress } from "./engine-build.js";
import { DEBIAN_SUITE, ensureRootfs } from "./offline.js";

export const KEEPALIVED_PACKAGES = ["keepalived", "iproute2", "iputils-arping", "procps"];

export async function ensureKeepalivedImage(docker: Docker, config: { rootDir: string; cacheDir: string }, progress: Progress = () => undefined): Promise<string> {
  const dockerfile = await readFile(join(config.rootDir, "images", "keepalived", "Dockerfile"), "utf8");
  const ref = `nonstop-lab/keepalived:${inputsHash([dockerfile, DEBIAN_SUITE, ...KEEPALIVED_PACKAGES])}`;
  if (await imageExists(docker, ref)) return ref;
  const rootfs = await ensureRootfs({ docker, imagesDir: join(config.rootDir, "images"), cacheDir: config.cacheDir, progress }, KEEPALIVED_PACKAGES);
  const work = await mkdtemp(join(tmpdir(), "nonstop-keepalived-"));
  try {
    await writeFile(join(work, "Dockerfile"), dockerfile);
    await buildDir(docker, work, { tags: [ref], buildargs: { ROOTFS: rootfs }, labels: { "nonstop.image": "keepalived" } }, (l) => progress(`keepalived: ${l}`));
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
