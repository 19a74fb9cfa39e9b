// The committed docker-compose.yml, run by Docker Compose: it reaches healthy, serves the
// web service through the edge router, and `down -v` leaves nothing labelled.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../lab/config.js";
import { COMPOSE_LAB } from "../../lab/compose/generate.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { machineStatus } from "../../lab/machine/status.js";
import { httpJson } from "../../lab/util/http.js";

const run = promisify(execFile);
const compose = (...args: string[]) => run("docker", ["compose", "--project-name", "nonstop-test", ...args], { cwd: PROJECT_ROOT, timeout: 120_000 });

afterAll(async () => {
  await compose("down", "-v", "--timeout", "1");
});

describe("docker compose up", () => {
  it("brings the committed file up healthy and down -v cleans it up", async () => {
    const plumbing = new Plumbing(await connectEngine());
    await compose("up", "-d", "--wait", "--wait-timeout", "60");
    const s = await machineStatus(plumbing, COMPOSE_LAB);
    expect(s.cpus.map((c) => c.health)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    expect(s.routers.every((r) => r.health === "healthy")).toBe(true);
    const who = await httpJson<{ cpu: string }>(`${s.services[0]?.url}/whoami`);
    expect(who.cpu).toBe("cpu-0");
    const pings = await httpJson<{ ok: boolean }[]>(`${s.cpus[3]?.agentUrl}/ping?plane=y`);
    expect(pings.map((p) => p.ok)).toEqual([true, true, true]);

    await compose("down", "-v", "--timeout", "1");
    expect(await plumbing.containers(COMPOSE_LAB)).toEqual([]);
    expect(await plumbing.networks(COMPOSE_LAB)).toEqual([]);
    expect(await plumbing.volumes(COMPOSE_LAB)).toEqual([]);
  });
});
