// Users at terminals of the session service: each holds one TCP connection and one
// session (LOGIN, then INCR after INCR). When the connection breaks, or the server no
// longer knows the session, that session is lost: its counter is gone and the user must
// log in and start over, which the next operation does. No retry can save it.
import { createConnection, type Socket } from "node:net";
import type { Client, Operation, Outcome } from "../types.js";

export interface SessionValue {
  user: string;
}

export function sessionOpFor(i: number, users: number): Operation {
  return { f: "session", value: { user: `u${i % users}` } satisfies SessionValue };
}

/** Errors that mean the session is gone for good (the scorecard's "session lost"). */
export const SESSION_LOST = "session lost";

class Terminal {
  private socket: Socket | undefined;
  private buffer = "";
  private waiting: ((line: string | Error) => void) | undefined;
  session: string | undefined;
  chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly port: number) {}

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: "127.0.0.1", port: this.port }, () => resolve());
      s.setEncoding("utf8");
      s.setNoDelay(true);
      s.on("data", (d: string) => {
        this.buffer += d;
        let nl: number;
        while ((nl = this.buffer.indexOf("\n")) >= 0) {
          const line = this.buffer.slice(0, nl);
          this.buffer = this.buffer.slice(nl + 1);
          const w = this.waiting;
          this.waiting = undefined;
          w?.(line);
        }
      });
      const broken = (err?: Error) => {
        if (this.socket === s) this.socket = undefined;
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
      this.buffer = "";
    });
  }

  async say(line: string, timeoutMs: number): Promise<string> {
    const s = this.socket;
    if (!s) throw new Error("not connected");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        s.destroy();
        reject(new Error(`no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (l) => {
        clearTimeout(timer);
        if (l instanceof Error) reject(l);
        else resolve(l);
      };
      s.write(`${line}\n`);
    });
  }

  async ensureLoggedIn(user: string, timeoutMs: number): Promise<void> {
    if (this.socket && this.session) return;
    this.close();
    await this.connect();
    const r = await this.say(`LOGIN ${user}`, timeoutMs);
    const m = /^OK (\S+)/.exec(r);
    if (!m?.[1]) throw new Error(`login refused: ${r}`);
    this.session = m[1];
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.session = undefined;
  }
}

export class SessionClient implements Client {
  private readonly terminals = new Map<string, Terminal>();

  constructor(private readonly spec: { port: number; timeoutMs: number }) {}

  private async once(t: Terminal, v: SessionValue): Promise<Outcome> {
    // The connection broke between commands (the server's CPU died, and the takeover reset
    // it): the session went with it, noticed now, at the user's next command.
    if (t.session && !t.connected) {
      const session = t.session;
      t.close();
      return { type: "fail", error: `${SESSION_LOST}: the connection was closed`, value: { user: v.user, session } };
    }
    try {
      await t.ensureLoggedIn(v.user, this.spec.timeoutMs);
    } catch (err) {
      t.close();
      // No session was started, so none was lost: the service is simply not there yet.
      return { type: "fail", error: `no session: ${err instanceof Error ? err.message : String(err)}` };
    }
    const session = t.session;
    try {
      const r = await t.say("INCR", this.spec.timeoutMs);
      const m = /^OK (\d+) (\S+)/.exec(r);
      if (m?.[1]) return { type: "ok", value: { user: v.user, session, n: Number(m[1]) }, ...(m[2] ? { node: m[2] } : {}) };
      t.close();
      return { type: "fail", error: `${SESSION_LOST}: ${r}`, value: { user: v.user, session } };
    } catch (err) {
      t.close();
      return { type: "fail", error: `${SESSION_LOST}: ${err instanceof Error ? err.message : String(err)}`, value: { user: v.user, session } };
    }
  }

  invoke(op: Operation): Promise<Outcome> {
    const v = op.value as SessionValue;
    let t = this.terminals.get(v.user);
    if (!t) {
      t = new Terminal(this.spec.port);
      this.terminals.set(v.user, t);
    }
    const term = t;
    // A terminal does one thing at a time: operations of one user queue behind each other.
    const next = term.chain.then(() => this.once(term, v));
    term.chain = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    for (const t of this.terminals.values()) t.close();
    return Promise.resolve();
  }
}
