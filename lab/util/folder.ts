// A folder the lab will write into (reports, histories), checked before any lab starts, so
// a bad path is a one-line error and not a failure after minutes of running. Each missing
// level is made on its own: Node's recursive mkdir loops forever on some paths it cannot
// create (under /proc, for one), and a plain mkdir says why it cannot.
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

export async function writableFolder(flag: string, path: string): Promise<string> {
  const dir = resolve(path);
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const s = await stat(at).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? undefined : Promise.reject(err)));
    if (s) {
      if (!s.isDirectory()) throw new UsageError(`${flag}: ${at} is not a folder (a folder the lab can write reports into is needed)`);
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  try {
    for (const m of missing) await mkdir(m).catch((err: NodeJS.ErrnoException) => (err.code === "EEXIST" ? undefined : Promise.reject(err)));
    const probe = join(dir, `.nonstop-write-test-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (err) {
    throw new UsageError(`${flag}: cannot write into ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); give a folder you can write, e.g. --report reports`);
  }
  return dir;
}
