import { describe, expect, it } from "vitest";
import { checkRequest } from "../../lab/console/security.js";
import { bytesFromMetrics } from "../../lab/console/state.js";

const port = 4321;
const token = "s3cret-token";
const ok = { method: "GET", host: "127.0.0.1:4321", origin: undefined, token: undefined };

describe("console request checks", () => {
  it("lets anyone on this machine read", () => {
    expect(checkRequest(ok, port, token)).toEqual({ ok: true });
    expect(checkRequest({ ...ok, host: "localhost:4321", origin: "http://localhost:4321" }, port, token)).toEqual({ ok: true });
  });

  it("refuses a foreign Host (DNS rebinding) and a foreign Origin (CSRF)", () => {
    expect(checkRequest({ ...ok, host: "evil.example:4321" }, port, token)).toMatchObject({ ok: false, status: 421 });
    expect(checkRequest({ ...ok, method: "POST", origin: "http://evil.example", token }, port, token)).toMatchObject({ ok: false, status: 403 });
  });

  it("needs the token for control actions", () => {
    expect(checkRequest({ ...ok, method: "POST" }, port, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ ...ok, method: "POST", token: "wrong" }, port, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ ...ok, method: "POST", token }, port, token)).toEqual({ ok: true });
  });
});

describe("plane traffic from a router's metrics", () => {
  it("sums every proxy's received bytes", () => {
    const text = [
      "# HELP toxiproxy_proxy_received_bytes_total The total bytes received",
      'toxiproxy_proxy_received_bytes_total{direction="upstream",listener="0.0.0.0:20001",proxy="cpu-0_to_cpu-1",upstream="cpu-1-x:8080"} 1200',
      'toxiproxy_proxy_received_bytes_total{direction="downstream",listener="0.0.0.0:20001",proxy="cpu-0_to_cpu-1",upstream="cpu-1-x:8080"} 300',
      'toxiproxy_proxy_sent_bytes_total{direction="upstream",proxy="cpu-0_to_cpu-1"} 999',
    ].join("\n");
    expect(bytesFromMetrics(text)).toBe(1500);
    expect(bytesFromMetrics("# nothing")).toBeUndefined();
  });
});
