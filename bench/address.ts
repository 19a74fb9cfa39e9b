// Address takeover, two ways, on the same lab and the same probe (the issue asks for both):
//  - secondary IP: `ip addr add` of a service address on the survivor's edge interface,
//    then gratuitous ARP (what the runtime does, from inside the CPU);
//  - Docker alias move: the edge router dials a DNS name; the name moves by disconnecting
//    the old holder from the edge network and re-connecting the new one with the alias
//    (Docker cannot add an alias to a live endpoint), which only the host's Docker API can do.
// Each move goes between two spare CPUs (cpu-2 and cpu-3), away from the running pair, and
// is timed from the start of the move to the first probe answered by the new holder. The
// probe goes through the edge router, as clients do, every 5 ms with fresh connections.
import { dockerName } from "../lab/docker/plumbing.js";
import { attach } from "../lab/machine/started.js";
import { httpGet } from "../lab/util/http.js";
import { printFigures, runsFromArgv, summarize } from "./figures.js";
import { benchLab, benchMachine, edgeInterface } from "./lab.js";

const runs = runsFromArgv(10);
const { plumbing, images } = await benchLab();
const machine = await benchMachine({ plumbing, images }, { cpus: 4 }, "bench-address");
const lab = machine.id;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls through the edge until `cpu` answers; ms from t0. */
async function until(url: string, cpu: string, t0: number, limitMs = 15_000): Promise<number | null> {
  while (performance.now() - t0 < limitMs) {
    const r = await httpGet(`${url}/whoami`, 200).catch(() => undefined);
    if (r?.status === 200 && (JSON.parse(r.body) as { cpu?: string }).cpu === cpu) return performance.now() - t0;
    await sleep(5);
  }
  return null;
}

const secondary: number[] = [];
const alias: number[] = [];
let failures = 0;
try {
  const s = await machine.lab.status({ live: true });
  const url = s.services[0]?.url ?? "";
  const ctx = await attach(plumbing, lab);
  const edge = await ctx.router(ctx.topology.edge.router);
  const vip = ctx.vips.web ?? "";
  // A second address next to the service's, so the running pair's own address is untouched.
  const probeVip = vip.replace(/\.(\d+)$/, (_, last: string) => `.${Number(last) - 1}`);
  const edgeNet = dockerName(lab, ctx.topology.edge.network);
  const id = (cpu: string) => dockerName(lab, cpu);
  const sh = (cpu: string, cmd: string) => plumbing.container.exec(id(cpu), ["sh", "-c", cmd]);
  const { iface, bits } = await edgeInterface(plumbing, lab, "cpu-2", vip);
  const holders = ["cpu-2", "cpu-3"];

  // 1. Secondary IP + gratuitous ARP.
  await edge.ensureProxy({ name: "web", listen: `0.0.0.0:${ctx.topology.services[0]?.edgePort ?? 30000}`, upstream: `${probeVip}:8081` });
  await sh("cpu-2", `ip addr add ${probeVip}/${bits} dev ${iface}; arping -U -c 1 -I ${iface} ${probeVip} >/dev/null 2>&1 || true`);
  await until(url, "cpu-2", performance.now());
  for (let i = 0; i < runs; i++) {
    const [from = "cpu-2", to = "cpu-3"] = i % 2 === 0 ? holders : [...holders].reverse();
    const t0 = performance.now();
    // The old holder is gone (as after a kill): drop its address first, then the new one takes it.
    await sh(from, `ip addr del ${probeVip}/${bits} dev ${iface}`);
    await sh(to, `ip addr add ${probeVip}/${bits} dev ${iface} && (arping -U -c 1 -I ${iface} ${probeVip} >/dev/null 2>&1 &)`);
    const ms = await until(url, to, t0);
    if (ms === null) failures++;
    else secondary.push(ms);
  }
  await sh(holders[runs % 2 === 0 ? 0 : 1] ?? "cpu-2", `ip addr del ${probeVip}/${bits} dev ${iface}`).catch(() => undefined);

  // 2. Docker alias move.
  const name = "web-alias";
  await plumbing.network.disconnect(edgeNet, id("cpu-2"));
  await plumbing.network.connect(edgeNet, id("cpu-2"), [name, "cpu-2-edge"]);
  await edge.ensureProxy({ name: "web", listen: `0.0.0.0:${ctx.topology.services[0]?.edgePort ?? 30000}`, upstream: `${name}:8081` });
  await until(url, "cpu-2", performance.now());
  for (let i = 0; i < runs; i++) {
    const [from = "cpu-2", to = "cpu-3"] = i % 2 === 0 ? holders : [...holders].reverse();
    const t0 = performance.now();
    await plumbing.network.disconnect(edgeNet, id(from));
    await plumbing.network.connect(edgeNet, id(from), [`${from}-edge`]);
    await plumbing.network.disconnect(edgeNet, id(to));
    await plumbing.network.connect(edgeNet, id(to), [name, `${to}-edge`]);
    const ms = await until(url, to, t0);
    if (ms === null) failures++;
    else alias.push(ms);
  }
  printFigures("address", {
    runs,
    secondaryIp: summarize(secondary, "ms"),
    aliasMove: summarize(alias, "ms"),
    ratio: secondary.length && alias.length ? Math.round((summarize(alias, "ms").median / Math.max(0.1, summarize(secondary, "ms").median)) * 10) / 10 : null,
    failures,
    note: "from the start of the move to the first probe (through the edge router, fresh connection every 5 ms) answered by the new holder. The alias move also changes the new holder's own edge address and cuts its open connections.",
  });
} finally {
  await machine.release();
}
