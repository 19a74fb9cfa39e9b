// ServerNet's framing and links, on loopback sockets in this process (no Docker): frames
// cut anywhere are put back together, a heartbeat to a link that is down is dropped rather
// than queued, a request waits for its link only until its deadline, a link redials when
// its far end comes back, a receiver drops a request whose sender already gave up, and an
// end from the far side is told apart from one the link asked for.
import { createServer, Socket, type AddressInfo, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame, FrameDecoder, FrameError, type Frame } from "../../runtime/membership/frames.js";
import { Link } from "../../runtime/membership/link.js";
import { serveServerNet, type Answer } from "../../runtime/membership/transport.js";

const fast = { minBackoffMs: 10, maxBackoffMs: 40, connectTimeoutMs: 500, congestedBytes: 64 * 1024 };
const open: { close: () => void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

function listen(receive: (path: string, body: unknown) => Answer | Promise<Answer>, port = 0): Promise<Server> {
  const s = serveServerNet(port, receive);
  open.push({ close: () => s.close() });
  return new Promise((resolve) => (s.listening ? resolve(s) : s.once("listening", () => resolve(s))));
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;
const link = (port: number) => {
  const l = new Link("test", { host: "127.0.0.1", port }, fast);
  open.push({ close: () => l.stop() });
  return l;
};
const until = async (what: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("frames", () => {
  it("reassembles frames cut at every byte boundary, several per chunk", () => {
    const frames: Frame[] = [{ path: "/servernet/hb", body: { from: "cpu-1", n: 1 } }, { re: 7, status: 200, body: { ok: true, text: "é✓" } }, { path: "/servernet/propose", body: null, id: 3, deadline: 123 }];
    const wire = Buffer.concat(frames.map(encodeFrame));
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(got).toEqual(frames);
    }
    const d = new FrameDecoder();
    const oneByOne = [...wire].flatMap((b) => d.push(Buffer.from([b])));
    expect(oneByOne).toEqual(frames);
  });

  it("refuses a frame that is not JSON, or neither a message nor a reply", () => {
    const framed = (text: string) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(Buffer.byteLength(text));
      return Buffer.concat([head, Buffer.from(text)]);
    };
    expect(() => new FrameDecoder().push(framed("nope"))).toThrow(/not JSON/);
    expect(() => new FrameDecoder().push(framed('{"x":1}'))).toThrow(FrameError);
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xffffffff);
    expect(() => new FrameDecoder().push(huge)).toThrow(/over the/);
  });
});

describe("a link", () => {
  it("carries one-way messages and requests with replies, in order", async () => {
    const got: unknown[] = [];
    const s = await listen((path, body) => {
      got.push(body);
      return { status: 200, body: { path } };
    });
    const l = link(portOf(s));
    l.start();
    await until(() => l.isOpen);
    expect(l.post("/servernet/hb", { n: 1 })).toBe(true);
    expect(l.post("/servernet/hb", { n: 2 })).toBe(true);
    const reply = await l.request("/servernet/ping", { n: 3 }, 1000);
    expect(reply).toMatchObject({ status: 200, body: { path: "/servernet/ping" } });
    expect(got).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("drops a heartbeat while down instead of queueing it, and redials when the far end returns", async () => {
    const probe = await listen(() => ({ status: 200, body: {} }));
    const port = portOf(probe);
    probe.close();
    const l = link(port);
    l.start();
    // Nothing listens: every post is dropped, none waits to be sent later.
    await new Promise((r) => setTimeout(r, 60));
    expect(l.post("/servernet/hb", { stale: true })).toBe(false);
    const got: unknown[] = [];
    await listen((_p, body) => (got.push(body), { status: 200, body: {} }), port);
    await until(() => l.isOpen);
    l.post("/servernet/hb", { fresh: true });
    await l.request("/servernet/ping", {}, 1000);
    expect(got).toEqual([{ fresh: true }, {}]);
  });

  it("fails a request at its deadline when the link stays down, and when no reply comes", async () => {
    const l = link(1); // nothing listens on port 1
    const t0 = Date.now();
    await expect(l.request("/servernet/ping", {}, 150)).rejects.toThrow(/link down for 150 ms/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    const silent = createServer((sock: Socket) => sock.on("data", () => undefined));
    open.push({ close: () => silent.close() });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const l2 = link(portOf(silent));
    await expect(l2.request("/servernet/ping", {}, 100)).rejects.toThrow(/no answer in 100 ms/);
  });

  it("a receiver drops a request whose deadline passed while it was busy", async () => {
    let handled = 0;
    const s = await listen(() => (handled++, { status: 200, body: {} }));
    const sock = await new Promise<Socket>((resolve) => {
      const c = new Socket();
      c.connect(portOf(s), "127.0.0.1", () => resolve(c));
    });
    open.push({ close: () => sock.destroy() });
    const replies: Frame[] = [];
    const d = new FrameDecoder();
    sock.on("data", (c: Buffer) => replies.push(...d.push(c)));
    sock.write(encodeFrame({ path: "/servernet/ping", body: {}, id: 1, deadline: Date.now() - 1 }));
    sock.write(encodeFrame({ path: "/servernet/ping", body: {}, id: 2, deadline: Date.now() + 5000 }));
    await until(() => replies.length === 1);
    expect(handled).toBe(1);
    expect(replies[0]).toMatchObject({ re: 2, status: 200 });
  });

  it("recycle cuts a connection and the link comes back on a fresh one", async () => {
    let connections = 0;
    const s = await listen(() => ({ status: 200, body: {} }));
    s.on("connection", () => connections++);
    const l = link(portOf(s));
    l.start();
    await until(() => l.isOpen);
    l.recycle("test");
    await until(() => connections === 2 && l.isOpen);
    await expect(l.request("/servernet/ping", {}, 1000)).resolves.toMatchObject({ status: 200 });
  });

  it("marks an end from the far side, as a dying peer's closed socket makes one, and not one it asked for itself", async () => {
    const accepted: Socket[] = [];
    const s = await listen(() => ({ status: 200, body: {} }));
    s.on("connection", (c: Socket) => accepted.push(c));
    let told = 0;
    const l = new Link("test", { host: "127.0.0.1", port: portOf(s) }, fast, () => told++);
    open.push({ close: () => l.stop() });
    l.start();
    await until(() => l.isOpen && accepted.length === 1);
    // This end's own recycle (a request unanswered) says nothing about the peer.
    l.recycle("test");
    await until(() => l.isOpen && accepted.length === 2);
    expect([l.lostAt, told]).toEqual([0, 0]);
    const before = Date.now();
    accepted[1]?.destroy();
    await until(() => l.lostAt > 0);
    expect(l.lostAt).toBeGreaterThanOrEqual(before);
    expect(told).toBe(1);
  });
});
