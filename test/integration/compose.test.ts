// The committed docker-compose.yml, run by Docker Compose: it reaches healthy, serves the
// web service through the edge router, fails over when the primary's CPU is killed (the
// service address moves, as under `nonstop up`), and `down -v` leaves nothing labelled.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../lab/config.js";
import { COMPOSE_LAB } from "../../lab/compose/generate.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing } from "../../lab/docker/plumbing.js";
import { machineStatus } from "../../lab/machine/status.js";
import { httpJson, waitFor } from "../../lab/util/http.js";

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

    // Failover under plain Compose: the backup takes over and the service address moves
    // to it, so the edge router's unchanged proxy reaches it.
    await compose("kill", "cpu-0");
    const after = await waitFor(
      "the web service to answer from its backup",
      () =>
        httpJson<{ cpu: string; role: string; epoch: number }>(`${s.services[0]?.url}/whoami`, 500).then(
          (w) => (w.cpu === "cpu-1" ? w : undefined),
          () => undefined,
        ),
      15_000,
      100,
    );
    expect(after).toMatchObject({ cpu: "cpu-1", role: "primary", epoch: 2 });

    await compose("down", "-v", "--timeout", "1");
    expect(await plumbing.container.list(COMPOSE_LAB)).toEqual([]);
    expect(await plumbing.network.list(COMPOSE_LAB)).toEqual([]);
    expect(await plumbing.volume.list(COMPOSE_LAB)).toEqual([]);
  });
});
