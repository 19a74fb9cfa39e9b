// The lab's own small tools, compiled on the host and copied into the cpu image (the tool
// image that helper containers run): today nonstop-netem (tools/netem/), netem's delay,
// loss and corruption from netfilter's queue, for kernels without sch_netem. It needs the
// Go standard library only, so it builds offline; the binary is cached by its sources.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../errors.js";
import { inputsHash } from "../util/hash.js";

export interface Tools {
  /** A folder holding the binaries, copied to /usr/local/bin in the image. */
  dir: string;
  hash: string;
}

export async function buildTools(rootDir: string, outDir: string): Promise<Tools> {
  const src = join(rootDir, "tools", "netem");
  const files = (await readdir(src)).filter((f) => f.endsWith(".go") || f === "go.mod").sort();
  const parts: (string | Buffer)[] = [];
  for (const f of files) parts.push(f, await readFile(join(src, f)));
  const hash = inputsHash(parts);
  const stamp = join(outDir, ".sources");
  const bin = join(outDir, "nonstop-netem");
  if (existsSync(bin) && existsSync(stamp) && (await readFile(stamp, "utf8")) === hash) return { dir: outDir, hash };
  await mkdir(outDir, { recursive: true });
  // Its own tests first (the netlink parsing): a helper that panics on a packet leaves its fault silently off.
  await go(src, ["test", "./..."]);
  await go(src, ["build", "-trimpath", "-ldflags=-s -w", "-o", bin, "."]);
  await writeFile(stamp, hash);
  return { dir: outDir, hash };
}

function go(src: string, args: string[]): Promise<void> {
  return new Promise<void>((done, fail) => {
    const p = spawn("go", args, { cwd: src, env: { ...process.env, CGO_ENABLED: "0", GOOS: "linux", GOFLAGS: "-mod=mod" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", (e) => fail(new LabError(`go ${args[0] ?? ""} tools/netem: ${e.message} (go is needed to build the lab's tools: bash scripts/ensure-build-tools.sh)`)));
    p.on("close", (code) => (code === 0 ? done() : fail(new LabError(`go ${args[0] ?? ""} tools/netem failed: ${err.trim().split("\n").join("; ")}`))));
  });
}
