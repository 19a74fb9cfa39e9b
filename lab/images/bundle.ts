// Bundles the runtime (the code that runs inside CPU containers) on the host with esbuild.
// The bundle is copied into the cpu image, so no npm ever runs inside `docker build`.
import { build } from "esbuild";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { inputsHash } from "../util/hash.js";

/** Entry points, by the file name they get inside the image (/opt/nonstop/<name>.mjs). */
export const RUNTIME_ENTRIES = { agent: "runtime/agent/main.ts" } as const;

export interface Bundle {
  dir: string;
  hash: string;
}

export async function bundleRuntime(rootDir: string, outDir: string): Promise<Bundle> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(RUNTIME_ENTRIES).map(([name, path]) => [name, join(rootDir, path)])),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);" },
    logLevel: "silent",
    legalComments: "none",
  });
  const files = (await readdir(outDir)).sort();
  const parts: (string | Buffer)[] = [];
  for (const f of files) parts.push(f, await readFile(join(outDir, f)));
  return { dir: outDir, hash: inputsHash(parts) };
}
