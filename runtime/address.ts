// Address takeover, as the paper's "reassigning a TCP/IP address": the service address is
// a secondary IP on the edge interface of whichever CPU holds the primary, announced with
// gratuitous ARP so the edge router's ARP cache moves at once. Needs NET_ADMIN (ip addr)
// and NET_RAW (arping), which only CPU containers are granted.
import { execFile } from "node:child_process";
import { networkInterfaces } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Interface {
  name: string;
  prefix: number;
}

/** The interface that carries `ip`, and its prefix length. */
export function interfaceOf(ip: string): Interface | undefined {
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const hit = infos?.find((i) => i.family === "IPv4" && i.address === ip);
    if (hit?.cidr) return { name, prefix: Number(hit.cidr.split("/")[1]) };
  }
  return undefined;
}

/**
 * Adds the address, then announces it. The announcement runs in the background: the address
 * serves the moment `ip addr add` returns, and arping's own pacing (about a second) must not
 * hold up the takeover. Resolves `announced` when the gratuitous ARPs are out.
 */
export async function takeAddress(vip: string, iface: Interface): Promise<{ announced: Promise<void> }> {
  try {
    await run("ip", ["addr", "add", `${vip}/${iface.prefix}`, "dev", iface.name]);
  } catch (err) {
    if (!/File exists/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
  }
  // Unsolicited ARP requests and replies: whoever cached the old owner's MAC moves now.
  const announced = Promise.all([
    run("arping", ["-U", "-c", "2", "-w", "1", "-I", iface.name, vip]).catch(() => undefined),
    run("arping", ["-A", "-c", "2", "-w", "1", "-I", iface.name, vip]).catch(() => undefined),
  ]).then(() => undefined);
  return { announced };
}

export async function releaseAddress(vip: string, iface: Interface): Promise<void> {
  await run("ip", ["addr", "del", `${vip}/${iface.prefix}`, "dev", iface.name]).catch(() => undefined);
}
