// Local equivalents of the official base images, for machines with no registry:
//  - Debian bookworm from mmdebstrap, using this machine's own apt sources, `docker import`ed;
//  - that rootfs plus the host's node binary, standing in for node:24-bookworm-slim;
//  - Toxiproxy compiled from Go source via the Go module proxy, FROM scratch.
import type Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { LabError, MissingTool } from "../errors.js";
import { inputsHash } from "../util/hash.js";
import { buildDir, imageExists, importRootfs, type Progress } from "./engine-build.js";

export const DEBIAN_SUITE = "bookworm";
/** What the CPU runtime needs from the OS: ip/iptables for address takeover and plane cuts. */
export const ROOTFS_PACKAGES = ["iproute2", "iptables", "iputils-ping", "iputils-arping", "procps", "ca-certificates", "libstdc++6"];
/** The newest Toxiproxy release the Go module proxy serves (checked 2026-11-27). */
export const TOXIPROXY_VERSION = "v2.12.0";

export interface OfflineContext {
  docker: Docker;
  imagesDir: string;
  cacheDir: string;
  progress: Progress;
}

function hasTool(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;
}

// ── apt sources ──────────────────────────────────────────────────────────────

interface AptSource {
  uri: string;
  suite: string;
  components: string;
}

/** The machine's Debian entries for `suite` (and its -updates/-security), from both formats. */
export function parseAptSources(files: { name: string; text: string }[], suite: string): AptSource[] {
  const out: AptSource[] = [];
  const wanted = (s: string) => s === suite || s.startsWith(`${suite}-`);
  for (const f of files) {
    if (f.name.endsWith(".sources")) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim();
        const types = field("Types") ?? "";
        if (!types.split(/\s+/).includes("deb") || /^Enabled:\s*no/im.test(stanza)) continue;
        const comps = field("Components") ?? "main";
        for (const uri of (field("URIs") ?? "").split(/\s+/).filter(Boolean)) {
          for (const s of (field("Suites") ?? "").split(/\s+/).filter(wanted)) out.push({ uri, suite: s, components: comps });
        }
      }
    } else {
      for (const raw of f.text.split("\n")) {
        const line = raw.replace(/#.*/, "").trim();
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line);
        if (m?.[1] && m[2] && m[3] && wanted(m[2])) out.push({ uri: m[1], suite: m[2], components: m[3] });
      }
    }
  }
  return out;
}

async function machineSources(suite: string): Promise<AptSource[]> {
  const files: { name: string; text: string }[] = [];
  if (existsSync("/etc/apt/sources.list")) files.push({ name: "sources.list", text: await readFile("/etc/apt/sources.list", "utf8") });
  if (existsSync("/etc/apt/sources.list.d")) {
    for (const name of await readdir("/etc/apt/sources.list.d")) {
      if (name.endsWith(".list") || name.endsWith(".sources")) {
        files.push({ name, text: await readFile(join("/etc/apt/sources.list.d", name), "utf8") });
      }
    }
  }
  return parseAptSources(files, suite);
}

// ── Debian rootfs ────────────────────────────────────────────────────────────

/** A Debian minbase rootfs with `packages`, imported as an image; cached by its inputs. */
export async function ensureRootfs(ctx: OfflineContext, packages: readonly string[] = ROOTFS_PACKAGES): Promise<string> {
  const sources = await machineSources(DEBIAN_SUITE);
  const list = sources.map((s) => `deb ${s.uri} ${s.suite} ${s.components}`).join("\n") + "\n";
  const ref = `nonstop-lab/debian:${DEBIAN_SUITE}-${inputsHash([DEBIAN_SUITE, "minbase", ...packages, list])}`;
  if (await imageExists(ctx.docker, ref)) return ref;
  if (!hasTool("mmdebstrap")) throw new MissingTool("mmdebstrap", "mmdebstrap", "needed to make the Debian rootfs offline");
  if (sources.length === 0) {
    throw new LabError(`no apt source for Debian ${DEBIAN_SUITE} in /etc/apt: mmdebstrap needs one to make the rootfs`);
  }
  const work = await mkdtemp(join(tmpdir(), "nonstop-rootfs-"));
  try {
    const listFile = join(work, "sources.list");
    await writeFile(listFile, list);
    ctx.progress(`debian: mmdebstrap ${DEBIAN_SUITE} (minbase + ${packages.join(",")}) from this machine's apt sources`);
    const child = spawn(
      "mmdebstrap",
      ["--variant=minbase", `--include=${packages.join(",")}`, "--format=tar", "--quiet", DEBIAN_SUITE, "-", listFile],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const errLines: string[] = [];
    createInterface({ input: child.stderr }).on("line", (l) => {
      errLines.push(l);
      ctx.progress(`debian: ${l}`);
    });
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
    await importRootfs(ctx.docker, child.stdout, ref, () => undefined);
    const code = await exited;
    if (code !== 0) throw new LabError(`mmdebstrap failed (exit ${code}): ${errLines.slice(-3).join(" | ")}`);
    ctx.progress(`debian: imported ${ref}`);
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ── node on the rootfs ───────────────────────────────────────────────────────

/** The host node's identity, cheap to compute: version, path, size and mtime. */
async function hostNodeKey(): Promise<string> {
  const st = await stat(process.execPath);
  return `${process.version}:${process.execPath}:${st.size}:${st.mtimeMs}`;
}

export async function offlineNodeKey(): Promise<string> {
  return inputsHash([await hostNodeKey(), DEBIAN_SUITE, ...ROOTFS_PACKAGES]);
}

export async function ensureLocalNode(ctx: OfflineContext): Promise<string> {
  const rootfs = await ensureRootfs(ctx);
  const dockerfile = await readFile(join(ctx.imagesDir, "offline", "node.Dockerfile"), "utf8");
  const ref = `nonstop-lab/node-local:${process.version.slice(1)}-${inputsHash([rootfs, dockerfile, await hostNodeKey()])}`;
  if (await imageExists(ctx.docker, ref)) return ref;
  const work = await mkdtemp(join(tmpdir(), "nonstop-node-"));
  try {
    await writeFile(join(work, "Dockerfile"), dockerfile);
    await copyFile(process.execPath, join(work, "node"));
    ctx.progress(`node-local: the host's node ${process.version} on ${rootfs}`);
    await buildDir(ctx.docker, work, { tags: [ref], buildargs: { ROOTFS: rootfs }, labels: { "nonstop.image": "node-local" } }, (l) =>
      ctx.progress(`node-local: ${l}`),
    );
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ── Toxiproxy from Go source ─────────────────────────────────────────────────

/** Runs a build tool to completion: its stdout, or a LabError with its last stderr lines (each also shown as progress). */
function run(ctx: OfflineContext, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: Buffer } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const errLines: string[] = [];
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    createInterface({ input: child.stderr }).on("line", (l) => {
      errLines.push(l);
      ctx.progress(`toxiproxy: ${l}`);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new LabError(`${cmd} ${args.join(" ")} failed (exit ${code}): ${errLines.slice(-3).join(" | ")}`))));
    child.stdin.end(opts.stdin);
  });
}

async function goInstall(ctx: OfflineContext, pkg: string, gobin: string): Promise<void> {
  ctx.progress(`toxiproxy: go install ${pkg}@${TOXIPROXY_VERSION}`);
  await run(ctx, "go", ["install", "-trimpath", "-ldflags=-s -w", `${pkg}@${TOXIPROXY_VERSION}`], { env: { CGO_ENABLED: "0", GOBIN: gobin, GOFLAGS: "-mod=mod" } });
}

/**
 * The Toxiproxy server with images/router/accept-dial.patch applied: the module's source
 * from the Go module proxy (`go mod download`), copied, patched and built. The patch makes
 * the proxy dial each upstream in the connection's own goroutine (docs/architecture.md,
 * "The edge router's accept loop").
 */
async function buildPatchedServer(ctx: OfflineContext, patch: Buffer, out: string): Promise<void> {
  const module = `github.com/Shopify/toxiproxy/v2@${TOXIPROXY_VERSION}`;
  ctx.progress(`toxiproxy: go mod download ${module}, then accept-dial.patch`);
  const env = { CGO_ENABLED: "0", GOFLAGS: "-mod=mod" };
  const info = JSON.parse(await run(ctx, "go", ["mod", "download", "-json", module], { env })) as { Dir?: string };
  if (!info.Dir) throw new LabError(`go mod download ${module} gave no source folder`);
  const src = await mkdtemp(join(tmpdir(), "nonstop-toxiproxy-src-"));
  try {
    // The module cache is read-only: build from a copy.
    await run(ctx, "cp", ["-r", `${info.Dir}/.`, src]);
    await run(ctx, "chmod", ["-R", "u+w", src]);
    await run(ctx, "patch", ["-p1", "--forward", "--quiet"], { cwd: src, stdin: patch });
    await run(ctx, "go", ["build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/server"], { cwd: src, env });
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

/**
 * Toxiproxy from Go source, patched (the lab's router) or, for the test that shows why the
 * patch exists, as released.
 */
export async function ensureLocalToxiproxy(ctx: OfflineContext, opts: { patched?: boolean } = {}): Promise<string> {
  const patched = opts.patched ?? true;
  const dockerfile = await readFile(join(ctx.imagesDir, "offline", "toxiproxy.Dockerfile"), "utf8");
  const patch = patched ? await readFile(join(ctx.imagesDir, "router", "accept-dial.patch")) : Buffer.alloc(0);
  const key = inputsHash([TOXIPROXY_VERSION, dockerfile, patch]);
  const ref = `nonstop-lab/toxiproxy-local:${TOXIPROXY_VERSION.slice(1)}-${patched ? "" : "released-"}${key}`;
  if (await imageExists(ctx.docker, ref)) return ref;
  const gobin = join(ctx.cacheDir, "toxiproxy", TOXIPROXY_VERSION);
  const server = join(gobin, patched ? `server-${key}` : "server");
  const cli = join(gobin, "cli");
  if (!existsSync(server) || !existsSync(cli)) {
    if (!hasTool("go")) throw new MissingTool("go", "golang-go", "needed to build Toxiproxy from source offline");
    if (patched && !hasTool("patch")) throw new MissingTool("patch", "patch", "needed to apply images/router/accept-dial.patch to Toxiproxy");
    await mkdir(gobin, { recursive: true });
    if (!existsSync(server)) {
      if (patched) await buildPatchedServer(ctx, patch, server);
      else await goInstall(ctx, "github.com/Shopify/toxiproxy/v2/cmd/server", gobin);
    }
    if (!existsSync(cli)) await goInstall(ctx, "github.com/Shopify/toxiproxy/v2/cmd/cli", gobin);
  }
  const work = await mkdtemp(join(tmpdir(), "nonstop-toxiproxy-"));
  try {
    await writeFile(join(work, "Dockerfile"), dockerfile);
    await copyFile(server, join(work, "toxiproxy"));
    await copyFile(cli, join(work, "toxiproxy-cli"));
    await chmod(join(work, "toxiproxy"), 0o755);
    await chmod(join(work, "toxiproxy-cli"), 0o755);
    await buildDir(ctx.docker, work, { tags: [ref], labels: { "nonstop.image": "toxiproxy-local" } }, (l) => ctx.progress(`toxiproxy: ${l}`));
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
