// What every lab benchmark starts with: the engine, the plumbing and the images, as the
// environment configures them; and, for the address benchmarks, where a CPU's edge
// interface is.
import type Docker from "dockerode";
import { configFromEnv, type LabConfig } from "../lab/config.js";
import { connectEngine } from "../lab/docker/engine.js";
import { dockerName, Plumbing } from "../lab/docker/plumbing.js";
import { ensureConfiguredImages, type ImageSet } from "../lab/images/build.js";
import { reap } from "../lab/docker/reap.js";
import { sharedLab, sharedLabId } from "../lab/machine/reuse.js";
import type { StartedLab } from "../lab/machine/started.js";
import { up } from "../lab/machine/up.js";
import { inSubnet } from "../lab/machine/vip.js";
import { resolveTopology } from "../lab/topology/resolve.js";

export interface BenchLab {
  config: LabConfig;
  docker: Docker;
  plumbing: Plumbing;
  images: ImageSet;
}

export async function benchLab(): Promise<BenchLab> {
  const config = configFromEnv();
  const docker = await connectEngine({ host: config.dockerHost });
  const plumbing = new Plumbing(docker);
  const { images } = await ensureConfiguredImages(docker, config);
  return { config, docker, plumbing, images };
}

/** The interface of `cpu` on the edge network (the one whose subnet holds the service address), its address and prefix. */
export async function edgeInterface(plumbing: Plumbing, lab: string, cpu: string, vip: string): Promise<{ iface: string; ip: string; bits: number }> {
  // The interface whose subnet holds the service address. Matching the address's first two
  // octets picked a plane's interface whenever Docker had put all three networks in
  // 192.168.0.0/16 (its /20 pools once the 172 ones are used): keepalived then ran on a
  // plane, its address unreachable from the edge, and the tuned side's "takeover" was the
  // killed CPU's restart, 3.3 s.
  const out = (await plumbing.container.exec(dockerName(lab, cpu), ["ip", "-4", "-o", "addr", "show"])).stdout;
  for (const line of out.split("\n")) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\/(\d+)/.exec(line);
    const [, name, ip, bits] = m ?? [];
    if (name && ip && bits && name !== "lo" && inSubnet(vip, ip, Number(bits))) return { iface: name.replace(/@.*$/, ""), ip, bits: Number(bits) };
  }
  throw new Error(`${cpu} has no interface on the subnet of ${vip}`);
}

/**
 * The machine a benchmark measures. With `--reuse` (the smoke runs of `npm test`) it is the
 * shared lab of the topology (lab/machine/reuse.ts): reset and verified if one is up,
 * brought up otherwise, and left up for the next user. Without it, a lab of the
 * benchmark's own, which `release` removes, so a full run measures what it always did.
 */
export interface BenchMachine {
  id: string;
  lab: StartedLab;
  release(): Promise<void>;
}

export async function benchMachine(b: Pick<BenchLab, "plumbing" | "images">, input: unknown, ownLab: string): Promise<BenchMachine> {
  const { plumbing, images } = b;
  if (process.argv.includes("--reuse")) {
    const id = sharedLabId(resolveTopology(input, "shared"));
    const { lab } = await sharedLab({ plumbing, images, topology: resolveTopology(input, id) });
    // Whatever the benchmark injected is healed as it ends; the lab stays up for the next.
    return { id, lab, release: async () => {
        await lab[Symbol.asyncDispose]();
      },
    };
  }
  const lab = await up({ plumbing, images, topology: resolveTopology(input, ownLab), progress: () => undefined });
  return { id: ownLab, lab, release: () => reap(plumbing, ownLab).then(() => undefined) };
}
