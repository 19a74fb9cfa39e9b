// The services' pure parts: the state machines a pair replicates, the crash points, and
// the protocol helpers. Each claim a scenario checks end to end rests on one of these.
import { describe, expect, it } from "vitest";
import { CrashPoints } from "../../runtime/pairs/crash.js";
import { apply, emptyState, type PairOp } from "../../runtime/pairs/state.js";
import { CATALOGUE, fileContent, parseRange, sha256 } from "../../runtime/services/downloads.js";
import { messageIdOf } from "../../runtime/services/mail.js";
import { OPENING_BALANCE, outcomeOf } from "../../runtime/services/state/transactions.js";

describe("transactions state", () => {
  it("applies an order's two parts together, and a retry of its key changes nothing", () => {
    const s = emptyState();
    const order = { f: "order", key: "k1", customer: "ann", item: "book", amount: 12 } as const;
    apply(s, order);
    apply(s, order);
    expect(s.tx?.accounts).toEqual({ ann: OPENING_BALANCE - 12, shop: 12 });
    expect(Object.keys(s.tx?.orders ?? {})).toEqual(["k1"]);
    expect(Object.keys(s.tx?.payments ?? {})).toEqual(["k1"]);
    expect(s.tx && outcomeOf(s.tx, "k1").status).toBe("paid");
  });

  it("declines an order the customer cannot pay, and answers a retry the same way", () => {
    const s = emptyState();
    apply(s, { f: "order", key: "big", customer: "bob", item: "car", amount: OPENING_BALANCE + 1 });
    apply(s, { f: "order", key: "big", customer: "bob", item: "car", amount: 1 });
    expect(s.tx && outcomeOf(s.tx, "big")).toEqual({ status: "declined", reason: expect.stringContaining("insufficient funds") as string });
    expect(s.tx?.accounts.bob).toBe(OPENING_BALANCE);
    expect(s.tx?.payments).toEqual({});
  });
});

describe("mail state", () => {
  it("queues a message once by its Message-ID, and delivers it once to each recipient", () => {
    const s = emptyState();
    const m: PairOp = { f: "mail.accept", id: "<1@x>", from: "a@x", to: ["b@y", "c@y"], data: "hi" };
    apply(s, m);
    apply(s, m);
    expect(s.mail?.queue).toEqual(["<1@x>"]);
    apply(s, { f: "mail.deliver", id: "<1@x>" });
    apply(s, { f: "mail.deliver", id: "<1@x>" });
    expect(s.mail?.mailboxes).toEqual({ "b@y": ["<1@x>"], "c@y": ["<1@x>"] });
    expect(s.mail?.queue).toEqual([]);
  });

  it("reads the Message-ID from the header block, folded or not, and never from the body", () => {
    expect(messageIdOf("Subject: x\r\nMessage-ID: <a@b>\r\n\r\nbody")).toBe("<a@b>");
    expect(messageIdOf("Subject: x\r\nMessage-Id:\r\n <folded@b>\r\n\r\nbody")).toBe("<folded@b>");
    expect(messageIdOf("Subject: x\r\n\r\nMessage-ID: <in-body@b>")).toBeUndefined();
  });
});

describe("downloads", () => {
  it("bills a download id once however often its receipt comes", () => {
    const s = emptyState();
    apply(s, { f: "bill", download: "d1", file: "applet.jar", bytes: 10 });
    apply(s, { f: "bill", download: "d1", file: "applet.jar", bytes: 10 });
    expect(s.bills?.bills).toHaveLength(1);
  });

  it("makes each file's bytes the same every time, and different files differ", () => {
    const size = CATALOGUE["applet.jar"] ?? 0;
    expect(sha256(fileContent("applet.jar", size))).toBe(sha256(fileContent("applet.jar", size)));
    expect(sha256(fileContent("applet.jar", 4096))).not.toBe(sha256(fileContent("suite.tar", 4096)));
  });

  it("parses the Range forms a resuming client sends", () => {
    expect(parseRange("bytes=100-", 1000)).toEqual({ start: 100, end: 999 });
    expect(parseRange("bytes=0-9", 1000)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=0-5000", 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange("bytes=1000-", 1000)).toBeUndefined();
    expect(parseRange("bytes=-500", 1000)).toBeUndefined();
  });
});

describe("files state", () => {
  it("writes whole files by path, idempotently", () => {
    const s = emptyState();
    apply(s, { f: "file.put", path: "a.txt", data: "1" });
    apply(s, { f: "file.put", path: "a.txt", data: "1" });
    expect(s.files?.files).toEqual({ "a.txt": "1" });
  });
});

describe("crash points", () => {
  it("fire once, at their own service and step only", () => {
    const died: string[] = [];
    const c = new CrashPoints((why) => died.push(why));
    c.arm("f1", "transactions", "after-journal");
    c.reached("transactions", "before-journal");
    c.reached("mail", "after-journal");
    expect(died).toEqual([]);
    c.reached("transactions", "after-journal");
    c.reached("transactions", "after-journal");
    expect(died).toEqual(["crash point f1: transactions after-journal"]);
    expect(c.list()).toEqual([]);
  });

  it("can be disarmed before they fire", () => {
    const died: string[] = [];
    const c = new CrashPoints((why) => died.push(why));
    c.arm("f1", "web", "before-ack");
    expect(c.disarm("f1")).toBe(true);
    c.reached("web", "before-ack");
    expect(died).toEqual([]);
  });
});
