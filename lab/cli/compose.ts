// `nonstop compose`: print or (re)write docker-compose.yml and the routers' proxy files.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { LabConfig } from "../config.js";
import { generateCompose } from "../compose/generate.js";

export async function composeCommand(config: LabConfig, flags: { write?: boolean }): Promise<void> {
  const files = generateCompose();
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
