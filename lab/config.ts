// Configuration from the environment, read once at the edge (the CLI, the test setup) and
// passed down as values; nothing deeper reads process.env.
import { homedir } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface LabConfig {
  rootDir: string;
  cacheDir: string;
  offline: boolean;
  pullTimeoutMs: number;
  dockerHost: string | undefined;
}

/**
 * The package's folder (images/, runtime/, console/ live there). This file runs from
 * lab/ as source and from dist/lab/ compiled, so the root is found, not counted up to.
 */
export const PROJECT_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "runtime"))) return dir;
    if (dirname(dir) === dir) throw new Error(`nonstop-lab: no package root above ${from}`);
  }
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): LabConfig {
  return {
    rootDir: PROJECT_ROOT,
    cacheDir: env.NONSTOP_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "nonstop-lab"),
    offline: env.NONSTOP_OFFLINE === "1" || env.NONSTOP_OFFLINE === "true",
    pullTimeoutMs: Number(env.NONSTOP_PULL_TIMEOUT_MS ?? 20_000),
    dockerHost: env.DOCKER_HOST || undefined,
  };
}
