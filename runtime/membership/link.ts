// One ServerNet link: this CPU's long-lived TCP connection to one peer over one plane,
// through that plane's router (the proxy for this ordered pair), as the paper's ServerNet
// has a path per pair. Messages are frames (./frames.ts). A link that breaks (a router
// killed or restarted, a proxy disabled, a reset or timeout toxic) redials with backoff.
//
// Nothing waits in a queue for a link that is down: a heartbeat is dropped, and a request
// waits for the link only until its own deadline. A backlog of stale heartbeats sent all at
// once when a plane returns stalled every CPU (docs/architecture.md, "ServerNet").
import { connect, type Socket } from "node:net";
import { encodeFrame, FrameDecoder, type Frame, type ReplyFrame } from "./frames.js";

export interface LinkTiming {
  /** First redial delay after a failure; doubles up to maxBackoffMs. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** A dial that does not connect in this long is abandoned (a SYN lost to a vanished address). */
  connectTimeoutMs: number;
  /** Bytes buffered unsent past which heartbeats are dropped: a congested link is a silent one. */
  congestedBytes: number;
}

export const LINK_TIMING: LinkTiming = { minBackoffMs: 25, maxBackoffMs: 500, connectTimeoutMs: 500, congestedBytes: 64 * 1024 };

/** A connection that lived this long was a working link: the next failure starts the backoff afresh. */
const STABLE_MS = 1000;

interface Waiting {
  resolve: (r: ReplyFrame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Link {
  private socket: Socket | undefined;
  private open = false;
  private stopped = false;
  private backoffMs = 0;
  private redial: NodeJS.Timeout | undefined;
  private openedAt = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Requests waiting for the link to open, each until its deadline. */
  private readonly onOpen = new Set<() => void>();
  /** When this link last carried a reply back: the transport's probe asks a quiet link. */
  lastReplyAt = 0;
  /**
   * When a connection that had opened was last ended by the far side (0: never): the
   * peer's process closed it, or the router did because its own connection to the peer
   * ended or could not be made. A close this end asked for (a recycle, a kick, a dial
   * timeout, stop) is not counted: it says nothing about the peer.
   */
  lostAt = 0;
  /** The socket this end is closing itself. */
  private ending: Socket | undefined;

  constructor(
    readonly name: string,
    private readonly via: { host: string; port: number },
    private readonly timing: LinkTiming = LINK_TIMING,
    private readonly onLost: () => void = () => undefined,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  start(): void {
    if (!this.socket && !this.redial && !this.stopped) this.dial();
  }

  /** Cuts the connection (it answered nothing) and dials again: at once if it had been up a while, else after the backoff. */
  recycle(why: string): void {
    this.ending = this.socket;
    this.socket?.destroy(new Error(why));
  }

  /**
   * Dials afresh now unless the link is open: a diagnostic ping should not wait out a
   * backoff, nor a dial still hanging on the address a restarted router used to have.
   */
  kick(): void {
    if (this.open || this.stopped) return;
    if (this.redial) clearTimeout(this.redial);
    const pending = this.socket;
    this.socket = undefined;
    pending?.destroy();
    this.dial();
  }

  stop(): void {
    this.stopped = true;
    if (this.redial) clearTimeout(this.redial);
    this.ending = this.socket;
    this.socket?.destroy();
  }

  private dial(): void {
    this.redial = undefined;
    const socket = connect({ host: this.via.host, port: this.via.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.timing.connectTimeoutMs, () => {
      this.ending = socket;
      socket.destroy(new Error("connect timed out"));
    });
    const decoder = new FrameDecoder();
    socket.on("connect", () => {
      socket.setTimeout(0);
      this.open = true;
      this.openedAt = Date.now();
      this.lastReplyAt = this.openedAt;
      for (const f of [...this.onOpen]) f();
    });
    socket.on("data", (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.ending = socket;
        socket.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      for (const f of frames) if ("re" in f) this.settle(f);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.socket !== socket) return; // a dial that kick() abandoned
      const lived = this.open ? Date.now() - this.openedAt : 0;
      const lost = this.open && this.ending !== socket;
      this.ending = undefined;
      this.open = false;
      this.socket = undefined;
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        this.waiting.delete(id);
        w.reject(new Error(`link ${this.name} closed`));
      }
      if (this.stopped) return;
      if (lost) {
        this.lostAt = Date.now();
        this.onLost();
      }
      // Through a router, a dial to a dead peer connects and is closed at once (the router's
      // own dial upstream failed), so a short-lived connection counts as a failure too.
      this.backoffMs = lived >= STABLE_MS ? 0 : Math.min(Math.max(this.timing.minBackoffMs, this.backoffMs * 2), this.timing.maxBackoffMs);
      this.redial = setTimeout(() => this.dial(), this.backoffMs);
    });
  }

  private settle(f: ReplyFrame): void {
    this.lastReplyAt = Date.now();
    const w = this.waiting.get(f.re);
    if (!w) return; // its sender gave up already
    clearTimeout(w.timer);
    this.waiting.delete(f.re);
    w.resolve(f);
  }

  /** A one-way message: written if the link is open and not congested, else dropped. */
  post(path: string, body: unknown): boolean {
    const s = this.socket;
    if (!this.open || !s || s.writableLength > this.timing.congestedBytes) return false;
    s.write(encodeFrame({ path, body }));
    return true;
  }

  /** A message that expects a reply within `timeoutMs`, link opening included. */
  request(path: string, body: unknown, timeoutMs: number): Promise<ReplyFrame> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const send = () => {
        const s = this.socket;
        if (!this.open || !s) return;
        const id = this.nextId++;
        const sentAt = Date.now();
        const timer = setTimeout(() => {
          this.waiting.delete(id);
          // Nothing at all came back on this connection since: it may be dead without a FIN
          // (a router restarted at a new address, a CPU's network pulled). A new one costs a
          // dial; a dead one would keep swallowing messages until TCP gives up, minutes later.
          if (this.lastReplyAt < sentAt) this.recycle(`no answer to ${path} in ${timeoutMs} ms`);
          reject(new Error(`${path} on ${this.name}: no answer in ${timeoutMs} ms`));
        }, Math.max(1, deadline - sentAt));
        this.waiting.set(id, { resolve, reject, timer });
        s.write(encodeFrame({ path, body, id, deadline }));
      };
      if (this.open) return send();
      if (this.stopped) return reject(new Error(`link ${this.name} is stopped`));
      this.start();
      const opened = () => {
        clearTimeout(expire);
        this.onOpen.delete(opened);
        send();
      };
      const expire = setTimeout(() => {
        this.onOpen.delete(opened);
        reject(new Error(`${path} on ${this.name}: link down for ${timeoutMs} ms`));
      }, timeoutMs);
      this.onOpen.add(opened);
    });
  }
}
