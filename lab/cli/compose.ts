// `nonstop compose`: print or (re)write docker-compose.yml and the routers' proxy files.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { LabConfig } from "../config.js";
import { COMPOSE_EDGE_SUBNET, generateCompose } from "../compose/generate.js";
import { UsageError } from "../errors.js";

/** An IPv4 /N with room for the service addresses at its top and Docker's at its bottom. */
function edgeSubnet(value: string | undefined): string {
  if (value === undefined) return COMPOSE_EDGE_SUBNET;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const bits = Number(m?.[5]);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || bits < 8 || bits > 26) throw new UsageError(`--edge-subnet: an IPv4 subnet from /8 to /26, such as ${COMPOSE_EDGE_SUBNET} (got '${value}')`);
  return value;
}

export async function composeCommand(config: LabConfig, flags: { write?: boolean; edgeSubnet?: string }): Promise<void> {
  const files = generateCompose(undefined, edgeSubnet(flags.edgeSubnet));
  if (!flags.write) {
    process.stdout.write(files["docker-compose.yml"] ?? "");
    return;
  }
  for (const [path, text] of Object.entries(files)) {
    const full = join(config.rootDir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
    console.log(`wrote ${path}`);
  }
}
