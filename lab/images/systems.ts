// Debian's own packages of real HA software, for Compose projects that want them on a
// machine with no registry (examples/redis-sentinel, examples/patroni, examples/keepalived).
// A project's Dockerfile names its official base as an ARG default, and its Compose file
// passes `BASE: ${NONSTOP_REDIS_IMAGE:-redis:7.0.15-bookworm}`; when the lab brings the
// project up it sees which NONSTOP_<NAME>_IMAGE the files mention, makes each as a Debian
// bookworm rootfs with the packages (mmdebstrap, cached by its inputs) and exports the
// variable. A file that mentions none costs nothing; one run without the lab uses the default.
import type Docker from "dockerode";
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import type { Progress } from "./engine-build.js";
import { ensureRootfs } from "./offline.js";

/** The package sets, by the NAME of NONSTOP_<NAME>_IMAGE. Versions are bookworm's (docs/real-systems.md). */
export const SYSTEM_IMAGES = {
  /** redis-server and redis-sentinel 7.0.15, redis-cli for healthchecks. */
  REDIS: ["redis-server", "redis-sentinel", "redis-tools", "procps"],
  /** PostgreSQL 15 with Patroni 3.0.2 (its etcd client too), and etcd 3.4.23 for the DCS. */
  PATRONI: ["postgresql-15", "patroni", "python3-etcd", "python3-psycopg2", "etcd-server", "etcd-client", "procps", "curl"],
  /** keepalived 2.2.7 and HAProxy 2.6.12, and curl for healthchecks. */
  HAPROXY: ["haproxy", "keepalived", "iproute2", "procps", "curl"],
} as const satisfies Record<string, readonly string[]>;
export type SystemImageName = keyof typeof SYSTEM_IMAGES;

const VARIABLE = /\bNONSTOP_([A-Z0-9]+)_IMAGE\b/g;

/**
 * The system images a project's files mention, by name. NODE is the lab's own Node image
 * (passed separately); any other unknown name is a usage error, so a typo is not silently
 * the official default.
 */
export function mentionedSystemImages(texts: readonly string[], field = "--compose"): SystemImageName[] {
  const out = new Set<SystemImageName>();
  for (const text of texts) {
    for (const m of text.matchAll(VARIABLE)) {
      const name = m[1] ?? "";
      if (name === "NODE") continue;
      if (!(name in SYSTEM_IMAGES)) throw new UsageError(`${field}: NONSTOP_${name}_IMAGE is not an image the lab makes; it makes NONSTOP_NODE_IMAGE, ${Object.keys(SYSTEM_IMAGES).map((n) => `NONSTOP_${n}_IMAGE`).join(", ")}`);
      out.add(name as SystemImageName);
    }
  }
  return [...out].sort();
}

export interface SystemImageConfig {
  docker: Docker;
  rootDir: string;
  cacheDir: string;
  progress?: Progress;
}

/** Makes (or finds) every system image the files mention: { NONSTOP_REDIS_IMAGE: ref, ... }. */
export async function systemImageEnv(files: readonly string[], config: SystemImageConfig): Promise<Record<string, string>> {
  const texts = await Promise.all(files.map((f) => readFile(f, "utf8")));
  const env: Record<string, string> = {};
  for (const name of mentionedSystemImages(texts)) {
    env[`NONSTOP_${name}_IMAGE`] = await ensureRootfs(
      { docker: config.docker, imagesDir: `${config.rootDir}/images`, cacheDir: config.cacheDir, progress: config.progress ?? (() => undefined) },
      SYSTEM_IMAGES[name],
    );
  }
  return env;
}

/** The callback `upCompose` takes, for an engine and the lab's folders. */
export function systemImageMaker(docker: Docker, config: { rootDir: string; cacheDir: string }): (files: readonly string[], progress: Progress) => Promise<Record<string, string>> {
  return (files, progress) => systemImageEnv(files, { docker, rootDir: config.rootDir, cacheDir: config.cacheDir, progress });
}
