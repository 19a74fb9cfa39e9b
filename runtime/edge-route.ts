// Takeover by re-pointing the edge router: the new primary tells the edge's Toxiproxy to
// forward the service to it, by name. This is how a lab on Swarm moves a service across
// nodes. There a secondary address and its gratuitous ARP reach peers on the same node
// only: Docker's overlay answers ARP from entries it programs for the addresses it
// assigned, so a router on another node never learns that the address moved (measured in
// docs/architecture.md, "Address takeover on Swarm"). The router's name and this CPU's
// edge alias are Docker's, so they hold wherever the tasks run.
import { request } from "node:http";

export interface EdgeRoute {
  /** host:port of the edge router's API, as the CPUs reach it on the edge network. */
  api: string;
  /** The service's proxy on the router. */
  proxy: string;
  /** host:port the router should forward to: this CPU's edge alias and the service's port. */
  upstream: string;
}

/**
 * Sets the proxy's upstream (Toxiproxy restarts the proxy's listener, keeping its toxics,
 * and drops the connections it held, which went to the old primary). Resolves once the
 * router has answered; rejects on any answer but 200.
 */
export async function repoint(route: EdgeRoute, timeoutMs = 2000): Promise<void> {
  await call(route, "POST", JSON.stringify({ upstream: route.upstream }), timeoutMs);
}

/** Where the router forwards the service now. */
export async function upstreamOf(route: EdgeRoute, timeoutMs = 1000): Promise<string> {
  return (JSON.parse(await call(route, "GET", undefined, timeoutMs)) as { upstream?: string }).upstream ?? "";
}

function call(route: EdgeRoute, method: "GET" | "POST", body: string | undefined, timeoutMs: number): Promise<string> {
  const [host = "", port = "8474"] = route.api.split(":");
  return exchange({ host, port: Number(port), method, path: `/proxies/${encodeURIComponent(route.proxy)}`, body, timeoutMs, who: "edge router", what: `${method} ${route.proxy}` });
}

/** One HTTP request on the edge network; the body of a 200, or a rejection naming `who` (and `what` was asked). */
function exchange(o: { host: string; port: number; method: "GET" | "POST"; path: string; body?: string | undefined; timeoutMs: number; who: string; what?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = o.body ? { "content-type": "application/json", "content-length": Buffer.byteLength(o.body) } : {};
    const req = request({ host: o.host, port: o.port, method: o.method, path: o.path, headers, timeout: o.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString("utf8")) : reject(new Error(`${o.who} answered ${res.statusCode ?? "nothing"}${o.what ? ` to ${o.what}` : ""}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`${o.who} did not answer in ${o.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(o.body);
  });
}

/**
 * While this CPU is primary, keeps the router pointed at it: a router that restarts (a
 * plane or edge fault, a heal that resets it) comes back with the plan's upstream, and a
 * primary that took over before it was back has nobody else to re-point it. One GET a
 * second per service.
 */
export class RouteKeeper {
  private timer: NodeJS.Timeout | undefined;

  /**
   * `supersedes(upstream)`: whether this CPU may take the router back from whoever it points
   * at now. The router holds no epoch, so a primary deposed but not yet told (it booted late,
   * or was paused) must not pull the service back from a newer one.
   */
  constructor(
    private readonly route: EdgeRoute,
    private readonly onRepointed: (ms: number) => void,
    private readonly supersedes: (upstream: string) => Promise<boolean>,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => {
      void upstreamOf(this.route)
        .then(async (now) => {
          if (now === this.route.upstream || !(await this.supersedes(now))) return;
          const t0 = Date.now();
          await repoint(this.route);
          this.onRepointed(Date.now() - t0);
        })
        .catch(() => undefined);
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Whether a primary at `epoch` may take the service from the CPU the router points at now:
 * yes unless that CPU's agent says it is the service's primary at a newer epoch. A name that
 * is not a CPU's edge alias (the plan's upstream, after the router restarted) or an agent that
 * does not answer (a dead CPU) is no claim.
 */
export async function supersedes(upstream: string, service: string, epoch: number, agentPort: number, timeoutMs = 300): Promise<boolean> {
  const host = /^(cpu-\d+-edge):\d+$/.exec(upstream)?.[1];
  if (!host) return true;
  const body = await exchange({ host, port: agentPort, method: "GET", path: "/runtime", timeoutMs, who: host }).catch(() => undefined);
  if (!body) return true;
  const pair = (JSON.parse(body) as { pairs?: { service: string; role: string; epoch: number }[] }).pairs?.find((p) => p.service === service);
  return !(pair?.role === "primary" && pair.epoch > epoch);
}
