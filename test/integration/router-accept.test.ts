// Why the lab carries images/router/accept-dial.patch: Toxiproxy as released dials each
// upstream inside its accept loop, so a client whose upstream SYN is lost holds every
// later client of that proxy until the kernel retransmits it (1 s). The test drops the
// upstream's first SYN only (iptables' nth match, in the upstream's own namespace), so the
// second client's SYN would be answered at once; it then measures how long each client
// waits for the upstream's greeting, through the released server and through the lab's
// patched one, which also tries an unanswered connect again after 200 ms instead of
// waiting out the kernel's initial SYN retransmit.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configFromEnv } from "../../lab/config.js";
import { connectEngine } from "../../lab/docker/engine.js";
import { Plumbing, dockerName } from "../../lab/docker/plumbing.js";
import { reap } from "../../lab/docker/reap.js";
import { ensureLocalToxiproxy } from "../../lab/images/offline.js";
import { Router, ROUTER_API_PORT } from "../../lab/router/router.js";
import { within } from "../../lab/util/within.js";
import { testLabId } from "./lab-ids.js";

const lab = testLabId("accept");
const LISTEN = 20000;
let plumbing: Plumbing;
let released: string;
let upstreamIp = "";

/** ms from connecting to the proxy until the upstream's greeting arrives. */
function greeted(port: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    s.setTimeout(10_000, () => s.destroy(new Error("no greeting in 10 s")));
    s.once("data", () => {
      resolve(performance.now() - t0);
      s.destroy();
    });
    s.once("error", reject);
    // Closed with no greeting (the proxy gave up its dial): an answer too, not a wait.
    s.once("close", () => reject(new Error("the proxy closed the connection without a greeting")));
  });
}

async function routerFrom(image: string, name: string): Promise<{ router: Router; listen: number }> {
  const c = await within(plumbing.container.run({ lab, role: "router", name, image, entrypoint: ["/toxiproxy"], cmd: ["-host=0.0.0.0"], networks: [{ network: dockerName(lab, "net") }], publish: [ROUTER_API_PORT, LISTEN] }), 30_000, `starting the ${name} router`);
  const api = c.ports.find((p) => p.container === ROUTER_API_PORT)?.hostPort;
  const listen = c.ports.find((p) => p.container === LISTEN)?.hostPort;
  if (!api || !listen) throw new Error(`${name} published no ports`);
  const router = new Router(`http://127.0.0.1:${api}`);
  for (let i = 0; i < 100 && !(await within(router.version(), 2000, `${name} router's API`).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
  await within(router.ensureProxy({ name: "up", listen: `0.0.0.0:${LISTEN}`, upstream: `${upstreamIp}:7000` }), 10_000, `the ${name} router's proxy`);
  return { router, listen };
}

/** Drops the next SYN to the upstream (only that one): a SYN lost to a dead address, once. */
async function loseNextSyn(): Promise<void> {
  const upstream = await plumbing.container.inspect(dockerName(lab, "upstream"));
  const r = await within(plumbing.container.runOnce({
    lab,
    role: "tool",
    name: `tool-syn-${Math.random().toString(16).slice(2, 6)}`,
    image: inject("images").cpu,
    entrypoint: ["sh", "-c", "iptables -w -F INPUT && iptables -w -A INPUT -p tcp --syn --dport 7000 -m statistic --mode nth --every 100000 --packet 0 -j DROP"],
    networkMode: `container:${upstream.id}`,
    capAdd: ["NET_ADMIN"],
  }), 30_000, "the rule that drops the next SYN");
  if (r.exitCode !== 0) throw new Error(`iptables: ${r.stderr}`);
}

/** Client A's SYN is lost; B connects 100 ms later. How long B waits. */
async function secondClientWait(listen: number): Promise<{ a: number; b: number }> {
  await loseNextSyn();
  const a = greeted(listen);
  await new Promise((r) => setTimeout(r, 100));
  const b = await greeted(listen);
  const waited = { a: await a, b };
  process.stderr.write(`accept loop: first client ${Math.round(waited.a)} ms, second ${Math.round(waited.b)} ms\n`);
  return waited;
}

beforeAll(async () => {
  plumbing = new Plumbing(await connectEngine());
  const config = configFromEnv();
  released = await ensureLocalToxiproxy({ docker: plumbing.docker, imagesDir: `${config.rootDir}/images`, cacheDir: config.cacheDir, progress: (l) => process.stderr.write(`images │ ${l}\n`) }, { patched: false });
  await plumbing.network.create({ lab, role: "net", name: "net", internal: false });
  const up = await plumbing.container.run({
    lab,
    role: "service",
    name: "upstream",
    image: inject("images").cpu,
    entrypoint: ["node", "-e", "require('net').createServer((s) => s.end('hello\\n')).listen(7000)"],
    networks: [{ network: dockerName(lab, "net") }],
  });
  upstreamIp = up.addresses[dockerName(lab, "net")] ?? "";
}, 300_000);

afterAll(async () => {
  await reap(plumbing, lab);
});

describe("the edge router's accept loop", () => {
  it("as released, a lost upstream SYN holds the next client of the proxy for the kernel's retransmit", async () => {
    const { listen } = await routerFrom(released, "released");
    const { a, b } = await secondClientWait(listen);
    // A waits out its SYN's retransmit (1 s); B, answered at once by the upstream, waits as long.
    expect(a).toBeGreaterThan(800);
    expect(b).toBeGreaterThan(600);
  });

  it("patched (the lab's router), the next client is served at once, and the first's lost SYN is tried again after 200 ms, not the kernel's 1 s", async () => {
    const { listen } = await routerFrom(inject("images").router, "patched");
    const { a, b } = await secondClientWait(listen);
    // A's first attempt went unanswered (its SYN was dropped: at least one attempt's wait),
    // and the second attempt, a fresh SYN, was answered long before a retransmit.
    expect(a).toBeGreaterThan(150);
    expect(a).toBeLessThan(700);
    expect(b).toBeLessThan(400);
  });
});
