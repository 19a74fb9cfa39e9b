// Who may do what on the console. It binds 127.0.0.1, and every request is checked:
//  - Host must name this console (127.0.0.1 or localhost, at its port): a page on another
//    site that rebinds its DNS name to 127.0.0.1 sends its own name as Host, and is refused.
//  - Origin, when a browser sends one, must be this console: no other page can drive it.
//  - Reading (GET) needs nothing more, so the view can be shared.
//  - Control actions (POST) need the lab's token, printed when the console starts.
import { timingSafeEqual } from "node:crypto";

export interface RequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  token: string | undefined;
}

export type Verdict = { ok: true } | { ok: false; status: number; error: string };

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkRequest(r: RequestFacts, port: number, token: string): Verdict {
  const hosts = allowedHosts(port);
  if (!r.host || !hosts.includes(r.host.toLowerCase())) return { ok: false, status: 421, error: `Host: allowed values are ${hosts.join(", ")}` };
  if (r.origin !== undefined && !hosts.map((h) => `http://${h}`).includes(r.origin.toLowerCase())) {
    return { ok: false, status: 403, error: `Origin: allowed values are ${hosts.map((h) => `http://${h}`).join(", ")}` };
  }
  if (r.method === "GET" || r.method === "HEAD") return { ok: true };
  if (r.method !== "POST") return { ok: false, status: 405, error: "method: allowed values are GET, POST" };
  if (!r.token || !sameToken(r.token, token)) return { ok: false, status: 401, error: "x-nonstop-token: the console's token is required for control actions" };
  return { ok: true };
}
