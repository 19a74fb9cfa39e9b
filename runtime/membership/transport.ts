// ServerNet between CPUs: one long-lived link per peer per plane (./link.ts), each through
// that plane's router on the proxy for this ordered pair, so the router's toxics (and its
// death) are what the link feels. "I'm alive" is one frame with no reply; a message that
// needs an answer carries an id. Every message can go over one plane or both; "both"
// resolves with the first plane that delivered it.
import { createServer, type Server, type Socket } from "node:net";
import { linksFrom } from "../../lab/topology/links.js";
import type { PlaneName, Topology } from "../../lab/topology/types.js";
import { encodeFrame, FrameDecoder, type Frame, type MessageFrame } from "./frames.js";
import { Link, LINK_TIMING, type LinkTiming } from "./link.js";

/** What the membership, the pairs and the voter need of ServerNet; the unit tests supply their own. */
export interface ServerNet {
  /** One message over one plane; resolves with the reply body, rejects on any failure. */
  send(to: string, plane: PlaneName, path: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** The same message over every plane at once; the first delivery wins. */
  sendBoth(to: string, planes: readonly PlaneName[], path: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** A one-way message (a heartbeat): sent if the link is up, dropped if not; no reply. */
  post(to: string, plane: PlaneName, path: string, body: unknown): void;
  /**
   * When the far side last ended this CPU's link to `to` on `plane` (0: never), and a
   * call at each such end. Optional: a network that has no connections has no such ends.
   */
  lostAt?(to: string, plane: PlaneName): number;
  onLost?(listener: (to: string, plane: PlaneName) => void): void;
}

/** A request's outcome as the receiving CPU answers it: an HTTP-like status and a body. */
export interface Answer {
  status: number;
  body: unknown;
}

export type Receive = (path: string, body: unknown) => Answer | Promise<Answer>;

export class ServerNetError extends Error {}

export class Transport implements ServerNet {
  private readonly links = new Map<string, Link>();
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly lostListeners: ((to: string, plane: PlaneName) => void)[] = [];

  constructor(
    t: Topology,
    readonly self: string,
    private readonly probe = { everyMs: 2000, timeoutMs: 1500 },
    timing: LinkTiming = LINK_TIMING,
  ) {
    for (const l of linksFrom(t, self)) {
      const lost = () => {
        for (const f of this.lostListeners) f(l.to, l.plane);
      };
      this.links.set(`${l.to}/${l.plane}`, new Link(`${self}->${l.to}/${l.plane}`, l.via, timing, lost));
    }
  }

  /** Dials every link, and starts probing the quiet ones. */
  start(): void {
    for (const l of this.links.values()) l.start();
    this.probeTimer = setInterval(() => this.probeQuiet(), this.probe.everyMs);
    this.probeTimer.unref();
  }

  stop(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    for (const l of this.links.values()) l.stop();
  }

  /**
   * A link that carries only heartbeats hears nothing back, so a connection that died
   * without a FIN (a peer's address gone after `docker network disconnect`, a router's
   * upstream black-holed) would look open for minutes of TCP retransmits. A link with no
   * reply for a probe interval is asked for one; a request that times out on a silent
   * link redials it (./link.ts).
   * Three small requests a second per CPU, against its 120 heartbeats.
   */
  private probeQuiet(): void {
    const now = Date.now();
    for (const l of this.links.values()) {
      if (!l.isOpen || now - l.lastReplyAt < this.probe.everyMs) continue;
      l.request("/servernet/ping", { from: this.self }, this.probe.timeoutMs).catch(() => undefined);
    }
  }

  private link(to: string, plane: PlaneName): Link {
    const l = this.links.get(`${to}/${plane}`);
    if (!l) throw new ServerNetError(`no link ${this.self} -> ${to} on ${plane}`);
    return l;
  }

  lostAt(to: string, plane: PlaneName): number {
    return this.links.get(`${to}/${plane}`)?.lostAt ?? 0;
  }

  onLost(listener: (to: string, plane: PlaneName) => void): void {
    this.lostListeners.push(listener);
  }

  post(to: string, plane: PlaneName, path: string, body: unknown): void {
    this.links.get(`${to}/${plane}`)?.post(path, body);
  }

  async send(to: string, plane: PlaneName, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const reply = await this.link(to, plane).request(path, body, timeoutMs);
    if (reply.status !== 200) throw new ServerNetError(`${path} to ${to} on ${plane}: status ${reply.status} ${JSON.stringify(reply.body).slice(0, 120)}`);
    return reply.body;
  }

  sendBoth(to: string, planes: readonly PlaneName[], path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return Promise.any(planes.map((p) => this.send(to, p, path, body, timeoutMs)));
  }

  /** A diagnostic round trip over one link (the agent's /ping): who answered, and how fast. */
  async ping(to: string, plane: PlaneName, timeoutMs: number): Promise<{ cpu: string; ms: number }> {
    const l = this.link(to, plane);
    l.kick();
    const t0 = performance.now();
    const reply = await l.request("/servernet/ping", { from: this.self }, timeoutMs);
    const cpu = (reply.body as { cpu?: unknown } | null)?.cpu;
    return { cpu: typeof cpu === "string" ? cpu : "?", ms: performance.now() - t0 };
  }
}

/**
 * The receiving end: every peer's links arrive here through the routers. A request is
 * answered on the connection it came in on; one whose deadline passed while this CPU was
 * stalled is dropped unanswered, as its sender has already moved on.
 */
export function serveServerNet(port: number, receive: Receive): Server {
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const f of frames) if ("path" in f) void answer(socket, f, receive);
    });
  });
  server.listen(port, "0.0.0.0");
  return server;
}

async function answer(socket: Socket, f: MessageFrame, receive: Receive): Promise<void> {
  if (f.id !== undefined && f.deadline !== undefined && Date.now() > f.deadline) return;
  let a: Answer;
  try {
    a = await receive(f.path, f.body);
  } catch (err) {
    a = { status: 500, body: { error: err instanceof Error ? err.message : String(err) } };
  }
  if (f.id !== undefined && !socket.destroyed) socket.write(encodeFrame({ re: f.id, status: a.status, body: a.body }));
}
