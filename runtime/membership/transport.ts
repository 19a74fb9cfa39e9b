// Messages between CPUs over ServerNet: an HTTP POST through the plane's router, on the
// proxy for this ordered pair, with a keep-alive connection per link. Every message can go
// over one plane or both; "both" resolves with the first plane that delivered it.
import { Agent, request } from "node:http";
import { linksFrom } from "../../lab/topology/links.js";
import type { PlaneName, Topology } from "../../lab/topology/types.js";

export class Transport {
  private readonly agents = new Map<string, Agent>();
  private readonly routes = new Map<string, { host: string; port: number }>();

  constructor(
    t: Topology,
    readonly self: string,
  ) {
    for (const l of linksFrom(t, self)) this.routes.set(`${l.to}/${l.plane}`, l.via);
  }

  private agent(key: string): Agent {
    let a = this.agents.get(key);
    if (!a) {
      a = new Agent({ keepAlive: true, maxSockets: 4 });
      this.agents.set(key, a);
    }
    return a;
  }

  /** One message over one plane; resolves with the reply body, rejects on any failure. */
  send(to: string, plane: PlaneName, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const key = `${to}/${plane}`;
    const via = this.routes.get(key);
    if (!via) return Promise.reject(new Error(`no link ${this.self} -> ${to} on ${plane}`));
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      let timedOut = false;
      // A message still waiting for a socket when its deadline passes is dropped. Node starts
      // a request's `timeout` only once it has a socket, so on a dead plane every heartbeat
      // queued behind the link's few sockets for as long as the plane was down; when its
      // router came back, the whole stale backlog went out at once and stalled every CPU
      // for about 150 ms: false suspicions, and once a false takeover. A message that has
      // its socket keeps the socket's own timeout, as before: cutting it here would tear
      // down a kept-alive link just when a busy CPU is slow to answer.
      const deadline = setTimeout(() => {
        if (req.socket) return;
        timedOut = true;
        req.destroy();
      }, timeoutMs);
      const req = request(
        { host: via.host, port: via.port, method: "POST", path, agent: this.agent(key), timeout: timeoutMs, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(deadline);
            const reply = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) return reject(new Error(`${path} to ${to} on ${plane}: HTTP ${res.statusCode} ${reply.slice(0, 120)}`));
            try {
              resolve(reply ? (JSON.parse(reply) as unknown) : {});
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
          res.on("error", (err) => {
            clearTimeout(deadline);
            reject(err);
          });
        },
      );
      req.on("timeout", () => {
        timedOut = true;
        req.destroy();
      });
      req.on("error", (err) => {
        clearTimeout(deadline);
        reject(timedOut ? new Error(`${path} to ${to} on ${plane}: no answer in ${timeoutMs} ms`) : err);
      });
      req.end(text);
    });
  }

  /** The same message over every plane at once; the first delivery wins. */
  sendBoth(to: string, planes: readonly PlaneName[], path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return Promise.any(planes.map((p) => this.send(to, p, path, body, timeoutMs)));
  }
}
