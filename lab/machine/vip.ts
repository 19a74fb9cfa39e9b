// Service addresses for address takeover: taken from the top of the edge network's subnet,
// far from the low end where Docker hands out container addresses.

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The k-th service address of a subnet such as "172.23.0.0/16": broadcast − 2 − k. */
export function serviceVip(subnet: string, k: number): string {
  const [base = "", bits = "24"] = subnet.split("/");
  const size = 2 ** (32 - Number(bits));
  if (size < 8 + k) throw new Error(`subnet ${subnet} is too small for service address ${k}`);
  const network = Math.floor(toInt(base) / size) * size;
  return toIp(network + size - 2 - k);
}

/** Whether `ip` lies in the subnet of `member`/`bits` (an interface's own address and prefix). */
export function inSubnet(ip: string, member: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(member) / size);
}
