// How the built-in clients of real HA software (./redis.ts, ./postgres.ts) find where to
// write: they ask every server which role it holds, write to the one that says primary, and
// stay with it until an operation on it fails. That is what a client of a failover system
// does between discoveries, and it is what makes a partition interesting: a client that
// can still reach the old primary keeps writing to it, as Jepsen's Redis clients did.
import { within } from "../../util/within.js";

/** A server as the host reaches it: its target name and its published port on 127.0.0.1. */
export interface Endpoint {
  target: string;
  port: number;
}

/** One connection kind: how to open it, ask its role, and throw it away. */
export interface Dialect<C> {
  connect(port: number, timeoutMs: number): Promise<C>;
  /** true: holds the primary role; false: does not. Throws when it cannot say. */
  isPrimary(conn: C, timeoutMs: number): Promise<boolean>;
  destroy(conn: C): void;
}

/** Connections kept by published port, opened on first use and dropped on any error. */
export class Connections<C> {
  private readonly open = new Map<number, Promise<C>>();
  constructor(
    private readonly dialect: Dialect<C>,
    private readonly timeoutMs: number,
  ) {}

  get(port: number, timeoutMs = this.timeoutMs): Promise<C> {
    let c = this.open.get(port);
    if (!c) {
      c = within(this.dialect.connect(port, timeoutMs), timeoutMs, `connect 127.0.0.1:${port}`);
      // A connection that failed to open is forgotten at once, so the next use dials again.
      c.catch(() => this.open.delete(port));
      this.open.set(port, c);
    }
    return c;
  }

  drop(port: number): void {
    const c = this.open.get(port);
    this.open.delete(port);
    void c?.then((conn) => this.dialect.destroy(conn)).catch(() => undefined);
  }

  /** Its role, or null when it does not answer in time (the connection is then dropped). */
  async role(port: number, timeoutMs = this.timeoutMs): Promise<boolean | null> {
    try {
      const conn = await this.get(port, timeoutMs);
      return await within(this.dialect.isPrimary(conn, timeoutMs), timeoutMs, "role");
    } catch {
      this.drop(port);
      return null;
    }
  }

  close(): void {
    for (const port of [...this.open.keys()]) this.drop(port);
  }
}

/** The endpoint a client writes to: found by asking, kept until `lost()`. */
export class PrimaryFollower<C> {
  private current: Endpoint | undefined;
  private finding: Promise<Endpoint> | undefined;
  /** The port of the last server an operation failed on. */
  private refused: number | undefined;

  constructor(
    readonly conns: Connections<C>,
    private readonly endpoints: () => Promise<Endpoint[]>,
  ) {}

  /** Every server that says it is primary now, in target order, and those that did not answer. */
  async roles(): Promise<{ primaries: Endpoint[]; silent: Endpoint[] }> {
    const eps = await this.endpoints();
    const roles = await Promise.all(eps.map((e) => this.conns.role(e.port)));
    return { primaries: eps.filter((_, i) => roles[i] === true), silent: eps.filter((_, i) => roles[i] === null) };
  }

  /** The primary this client writes to; discovery is shared by the operations that wait on it. */
  async primary(): Promise<{ endpoint: Endpoint; conn: C }> {
    const endpoint = this.current ?? (await (this.finding ??= this.find().finally(() => (this.finding = undefined))));
    return { endpoint, conn: await this.conns.get(endpoint.port) };
  }

  private async find(): Promise<Endpoint> {
    const { primaries } = await this.roles();
    // Two may say primary (an old one not yet demoted): the one that just refused is the last choice.
    const first = primaries.find((p) => p.port !== this.refused) ?? primaries[0];
    if (!first) throw new Error("no server says it is the primary");
    this.current = first;
    return first;
  }

  /** The operation on `endpoint` failed: ask again next time (and open a new connection). */
  lost(endpoint: Endpoint, conn = true): void {
    if (this.current?.port === endpoint.port) this.current = undefined;
    this.refused = endpoint.port;
    if (conn) this.conns.drop(endpoint.port);
  }

  /** The one primary, for a final read: when several say so the system has not settled, and that is an error to retry. */
  async only(): Promise<{ endpoint: Endpoint; conn: C }> {
    const { primaries: ps, silent } = await this.roles();
    // A server that does not answer may be a primary too: the read waits until every one says what it is.
    if (silent.length > 0) throw new Error(`${silent.map((p) => p.target).join(", ")} did not say its role`);
    if (ps.length !== 1 || !ps[0]) throw new Error(ps.length === 0 ? "no server says it is the primary" : `${ps.map((p) => p.target).join(" and ")} all say they are the primary`);
    return { endpoint: ps[0], conn: await this.conns.get(ps[0].port) };
  }
}
