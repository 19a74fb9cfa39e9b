// Whether a service answers, through the edge router, in its own protocol, from its
// primary: `up` waits for this, so a lab is handed over only when every service works.
import { createConnection } from "node:net";
import type { ServiceKind } from "../topology/types.js";
import { httpGet } from "../util/http.js";

/** The URL a user types for a service: http for the HTTP services, smtp:// and telnet:// for the others. */
export function serviceUrl(kind: ServiceKind, port: number): string {
  if (kind === "mail") return `smtp://127.0.0.1:${port}`;
  if (kind === "session") return `telnet://127.0.0.1:${port}`;
  return `http://127.0.0.1:${port}`;
}

/** The first line a TCP server says after `send` (if any), within `timeoutMs`. */
export function firstLine(port: number, send: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: "127.0.0.1", port });
    let buf = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    s.setEncoding("utf8");
    s.on("connect", () => {
      if (send) s.write(send);
    });
    s.on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      s.destroy();
      resolve(buf.slice(0, nl).replace(/\r$/, ""));
    });
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on("close", () => {
      clearTimeout(timer);
      if (!buf.includes("\n")) reject(new Error("closed without a reply"));
    });
  });
}

export async function servesAsPrimary(kind: ServiceKind, port: number, timeoutMs = 1000): Promise<boolean> {
  try {
    if (kind === "mail") return (await firstLine(port, undefined, timeoutMs)).startsWith("220 ");
    // The primary knows the command and wants a login; anyone else says it is not the primary.
    if (kind === "session") return (await firstLine(port, "WHO\n", timeoutMs)).startsWith("ERR no session");
    const r = await httpGet(`http://127.0.0.1:${port}/whoami`, timeoutMs);
    return r.status === 200 && (JSON.parse(r.body) as { role?: string }).role === "primary";
  } catch {
    return false;
  }
}
