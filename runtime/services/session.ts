// Session: a telnet-like, connection-oriented service over TCP, one command per line.
//   LOGIN USER   -> OK SESSION-ID CPU     starts a session on this connection
//   INCR         -> OK N CPU              the session's own counter, one more
//   WHO          -> OK USER N CPU
//   QUIT         -> BYE
// The session's state lives in the primary's memory and on the TCP connection, and neither
// can move to the backup: the paper's "the client will lose connection and the user will
// have to reinitiate the session". That loss is what this service exists to show, so its
// sessions are deliberately not checkpointed.
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import type { RunningService, ServiceDeps } from "./types.js";

export function serveSession({ pair, cpu, service }: ServiceDeps): RunningService {
  const open = new Set<Socket>();
  let started = 0;
  const server = createServer((socket) => {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    if (pair.role !== "primary") {
      socket.end(`ERR ${cpu} is not the primary\n`);
      return;
    }
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
    let session: { id: string; user: string; n: number } | undefined;
    let buffer = "";
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const [cmd = "", arg = ""] = buffer.slice(0, nl).trim().split(/\s+/, 2);
        buffer = buffer.slice(nl + 1);
        const reply = (line: string) => socket.write(`${line}\n`);
        switch (cmd.toUpperCase()) {
          case "LOGIN":
            if (!/^[A-Za-z0-9._-]{1,40}$/.test(arg)) reply("ERR LOGIN needs a user name (letters, digits, . _ -)");
            else {
              session = { id: randomBytes(4).toString("hex"), user: arg, n: 0 };
              started++;
              reply(`OK ${session.id} ${cpu}`);
            }
            break;
          case "INCR":
          case "WHO":
            if (!session) reply("ERR no session: LOGIN first");
            else if (cmd.toUpperCase() === "INCR") reply(`OK ${++session.n} ${cpu}`);
            else reply(`OK ${session.user} ${session.n} ${cpu}`);
            break;
          case "QUIT":
            socket.end("BYE\n");
            break;
          default:
            reply(`ERR unknown command '${cmd}'; commands are LOGIN, INCR, WHO, QUIT`);
        }
      }
    });
  });
  server.listen(service.port, "0.0.0.0");
  return {
    truth: () => ({ open: open.size, started, role: pair.role }),
    close: () => {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}
