// What every lab benchmark starts with: the engine, the plumbing and the images, as the
// environment configures them; and, for the address benchmarks, where a CPU's edge
// interface is.
import type Docker from "dockerode";
import { configFromEnv, type LabConfig } from "../lab/config.js";
import { connectEngine } from "../lab/docker/engine.js";
import { dockerName, Plumbing } from "../lab/docker/plumbing.js";
import { ensureConfiguredImages, type ImageSet } from "../lab/images/build.js";

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

/** The interface of `cpu` on the edge network (the one in the service address's /16), its address and prefix. */
export async function edgeInterface(plumbing: Plumbing, lab: string, cpu: string, vip: string): Promise<{ iface: string; ip: string; bits: number }> {
  const net = vip.split(".").slice(0, 2).join("\\.");
  const out = (await plumbing.container.exec(dockerName(lab, cpu), ["sh", "-c", `ip -4 -o addr show | awk '$4 ~ /^${net}\\./ {print $2, $4; exit}'`])).stdout.trim();
  const [iface = "eth0", cidr = "0/16"] = out.split(" ");
  const [ip = "", bits = "16"] = cidr.split("/");
  return { iface, ip, bits: Number(bits) };
}
