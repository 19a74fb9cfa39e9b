// The kept-open `ip -batch` that moves service addresses: each command resolves once the
// batch is past it, in order, and a command `ip` refuses rejects with what `ip` said. Run
// against the host's own `ip` with commands that need no privilege.
import { describe, expect, it } from "vitest";
import { IpBatch } from "./address.js";

describe("ip -batch, kept open", () => {
  it("resolves each command in order, and rejects one that ip refuses with its message", async () => {
    const ip = new IpBatch();
    const order: string[] = [];
    const a = ip.run("link show dev lo").then(() => order.push("a"));
    const b = ip.run("addr add 192.0.2.1/32 dev nsnope0").then(
      () => order.push("b ok"),
      (err: Error) => order.push(`b ${err.message}`),
    );
    const c = ip.run("addr show dev lo").then(() => order.push("c"));
    await Promise.all([a, b, c]);
    expect(order[0]).toBe("a");
    expect(order[1]).toMatch(/^b ip: .*(nsnope0|Cannot find device)/);
    expect(order[2]).toBe("c");
    ip.close();
  });
});
