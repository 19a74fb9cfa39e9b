// A generic line-oriented TCP client: one persistent connection, a request line out and a
// reply line back, reconnecting after the connection breaks. Operations are serialized on
// the connection, as on a terminal session.
import { createConnection, type Socket } from "node:net";
import type { Client, Operation, Outcome } from "./types.js";

export interface TcpClientSpec {
  host: string;
  port: () => Promise<number> | number;
  /** The request line for an operation (without the newline). */
  line: (op: Operation) => string;
  /** Reads a reply line into an outcome's value and node. */
  parse?: (reply: string) => { value?: unknown; node?: string; ok?: boolean };
  timeoutMs: number;
}

export class TcpClient implements Client {
  private socket: Socket | undefined;
  private buffer = "";
  private waiting: ((line: string | Error) => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly spec: TcpClientSpec) {}

  private async connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const port = await this.spec.port();
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: this.spec.host, port }, () => resolve(s));
      s.setEncoding("utf8");
      s.on("data", (d: string) => {
        this.buffer += d;
        let nl: number;
        while ((nl = this.buffer.indexOf("\n")) >= 0) {
          const line = this.buffer.slice(0, nl).replace(/\r$/, "");
          this.buffer = this.buffer.slice(nl + 1);
          const w = this.waiting;
          this.waiting = undefined;
          w?.(line);
        }
      });
      const broken = (err?: Error) => {
        this.socket = undefined;
        this.buffer = "";
        const w = this.waiting;
        this.waiting = undefined;
        w?.(err ?? new Error("connection closed"));
      };
      s.on("error", (err) => {
        reject(err);
        broken(err);
      });
      s.on("close", () => broken());
      this.socket = s;
    });
  }

  private async once(op: Operation): Promise<Outcome> {
    let socket: Socket;
    try {
      socket = await this.connect();
    } catch (err) {
      return { type: "fail", error: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
    const reply = await new Promise<string | Error>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        socket.destroy();
        resolve(new Error(`timeout after ${this.spec.timeoutMs} ms`));
      }, this.spec.timeoutMs);
      this.waiting = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
      socket.write(`${this.spec.line(op)}\n`);
    });
    if (reply instanceof Error) return { type: "info", error: reply.message };
    const parsed = this.spec.parse?.(reply) ?? { value: reply };
    return { type: parsed.ok === false ? "fail" : "ok", ...(parsed.value !== undefined ? { value: parsed.value } : {}), ...(parsed.node ? { node: parsed.node } : {}) };
  }

  invoke(op: Operation): Promise<Outcome> {
    const next = this.chain.then(() => this.once(op));
    this.chain = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return Promise.resolve();
  }
}
