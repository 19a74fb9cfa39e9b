// Configuration from the environment, read once at the edge (the CLI, the test setup) and
// passed down as values; nothing deeper reads process.env.
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface LabConfig {
  rootDir: string;
  cacheDir: string;
  offline: boolean;
  pullTimeoutMs: number;
  dockerHost: string | undefined;
}

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): LabConfig {
  return {
    rootDir: PROJECT_ROOT,
    cacheDir: env.NONSTOP_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "nonstop-lab"),
    offline: env.NONSTOP_OFFLINE === "1" || env.NONSTOP_OFFLINE === "true",
    pullTimeoutMs: Number(env.NONSTOP_PULL_TIMEOUT_MS ?? 20_000),
    dockerHost: env.DOCKER_HOST || undefined,
  };
}
