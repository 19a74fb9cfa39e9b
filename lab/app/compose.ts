// A user's Compose project, driven through Compose v2's own CLI (`docker compose`): its
// model as Compose resolves it (`config --format json`, which is also the validation), an
// override file that puts the lab's labels on everything the project creates, and up and
// down. The user's file is never edited: Compose merges the override over it.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE } from "../docker/labels.js";
import { LabError, UsageError } from "../errors.js";

/** The parts of Compose's resolved model the lab reads; the rest passes through untouched. */
const ServiceModel = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string().optional(), args: z.record(z.string(), z.string().nullable()).optional() }).optional(),
  scale: z.number().optional(),
  deploy: z.object({ replicas: z.number().optional() }).passthrough().nullable().optional(),
  healthcheck: z.object({ disable: z.boolean().optional() }).passthrough().optional(),
});
const ProjectModel = z.object({
  name: z.string(),
  services: z.record(z.string(), ServiceModel),
  networks: z.record(z.string(), z.object({ name: z.string().optional(), external: z.boolean().optional() }).passthrough().nullable()).optional(),
  volumes: z.record(z.string(), z.object({ name: z.string().optional(), external: z.boolean().optional() }).passthrough().nullable()).optional(),
});
export type ProjectModel = z.infer<typeof ProjectModel>;

export interface ComposeProject {
  /** The project's name, as Compose names its containers, networks and volumes. */
  name: string;
  /** The user's files, absolute. */
  files: string[];
  model: ProjectModel;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function compose(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    execFile("docker", ["compose", ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 32 << 20, timeout: opts.timeoutMs ?? 300_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      if (err && typeof code !== "number") {
        fail(code === "ENOENT" ? new LabError("docker is missing: the Compose commands need the docker CLI with Compose v2 (bash scripts/ensure-compose.sh)") : new LabError(`docker compose ${args[0] ?? ""}: ${err.message}`));
        return;
      }
      done({ code: typeof code === "number" ? code : 0, stdout, stderr });
    });
  });
}

/** Compose's own complaint, on one line (it prints a paragraph, sometimes with a prefix). */
export function oneLine(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join("; ")
    .replace(/^(error|Error response from daemon):\s*/i, "");
}

/** The environment every Compose call gets: the lab's local images, for files whose build args ask for them. */
export interface ComposeEnv {
  /** Exported as NONSTOP_NODE_IMAGE, so `args: { BASE: ${NONSTOP_NODE_IMAGE:-node:24-bookworm-slim} }` works offline. */
  nodeImage?: string;
  /** NONSTOP_REDIS_IMAGE and the like (../images/systems.ts), for the images the files mention. */
  systemImages?: Record<string, string>;
  /** A scenario's own settings (`system.env`), for the file's ${...} interpolation. */
  vars?: Record<string, string>;
}

function envOf(e: ComposeEnv): NodeJS.ProcessEnv {
  return { ...e.vars, ...(e.nodeImage ? { NONSTOP_NODE_IMAGE: e.nodeImage } : {}), ...e.systemImages };
}

/**
 * Reads and validates a Compose file as Compose itself does. A file Compose refuses is a
 * usage error with Compose's message on one line; nothing is created.
 */
export async function loadCompose(file: string, env: ComposeEnv = {}, projectName?: string): Promise<ComposeProject> {
  const path = resolve(file);
  const r = await compose([...(projectName ? ["-p", projectName] : []), "-f", path, "config", "--format", "json"], { cwd: dirname(path), env: envOf(env) });
  if (r.code !== 0) throw new UsageError(`--compose: ${path}: ${oneLine(r.stderr || r.stdout)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(r.stdout);
  } catch {
    throw new LabError(`docker compose config printed no JSON for ${path}`);
  }
  const model = ProjectModel.safeParse(raw);
  if (!model.success) throw new UsageError(`--compose: ${path}: not a project the lab can read (${model.error.issues[0]?.message ?? "invalid"})`);
  if (Object.keys(model.data.services).length === 0) throw new UsageError(`--compose: ${path}: the project has no services`);
  return { name: model.data.name, files: [path], model: model.data };
}

/** The lab's labels on every service, network and volume the project creates (not external ones). */
export function overrideFor(p: ComposeProject, lab: string): Record<string, unknown> {
  const labels = (role: string, name?: string) => ({ [LABEL_LAB]: lab, [LABEL_ROLE]: role, ...(name ? { [LABEL_NAME]: name } : {}) });
  const own = (m: Record<string, { external?: boolean } | null> | undefined) => Object.entries(m ?? {}).filter(([, v]) => !v?.external).map(([k]) => k);
  const out: Record<string, unknown> = { services: Object.fromEntries(Object.keys(p.model.services).map((s) => [s, { labels: labels("app", s) }])) };
  const nets = own(p.model.networks);
  if (nets.length) out.networks = Object.fromEntries(nets.map((n) => [n, { labels: labels("net", n) }]));
  const vols = own(p.model.volumes);
  if (vols.length) out.volumes = Object.fromEntries(vols.map((v) => [v, { labels: labels("disk", v) }]));
  return out;
}

/**
 * `docker compose up -d --wait` with the override merged in: Compose starts the project and
 * waits for every service to run, and to be healthy where it has a healthcheck. Images
 * must exist already (./build.ts makes them); Compose is told not to build or pull.
 */
export async function composeUp(p: ComposeProject, lab: string, env: ComposeEnv, timeoutS = 120): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nonstop-compose-"));
  try {
    const override = join(dir, "nonstop.override.yml");
    await writeFile(override, `# written by nonstop-lab: the lab's labels on ${p.name}\n${stringify(overrideFor(p, lab))}`);
    const files = [...p.files, override].flatMap((f) => ["-f", f]);
    const r = await compose(["-p", p.name, ...files, "up", "-d", "--wait", "--wait-timeout", String(timeoutS), "--no-build", "--pull", "never"], {
      cwd: dirname(p.files[0] ?? "."),
      env: envOf(env),
      timeoutMs: (timeoutS + 60) * 1000,
    });
    if (r.code !== 0) throw new LabError(`docker compose up ${p.name}: ${oneLine(r.stderr || r.stdout)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes the project's containers, networks and volumes, by its name alone (Compose finds them by label). */
export async function composeDown(project: string): Promise<void> {
  const r = await compose(["-p", project, "down", "--volumes", "--remove-orphans", "--timeout", "2"]);
  if (r.code !== 0) throw new LabError(`docker compose down ${project}: ${oneLine(r.stderr || r.stdout)}`);
}

/** How many containers Compose makes of a service. */
export function replicasOf(m: ProjectModel, service: string): number {
  const s = m.services[service];
  return s?.deploy?.replicas ?? s?.scale ?? 1;
}
