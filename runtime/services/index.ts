// Starts the server of each kind of service. Which kinds exist, and what each claims, is in
// ../../lab/topology/types.ts (SERVICE_KINDS).
import type { ServiceKind } from "../../lab/topology/types.js";
import type { Voter } from "../voting/voter.js";
import { serveDownloads } from "./downloads.js";
import { serveFiles } from "./files.js";
import { serveMail } from "./mail.js";
import { serveSession } from "./session.js";
import { serveTransactions } from "./transactions.js";
import type { RunningService, ServiceDeps } from "./types.js";
import { serveWeb } from "./web.js";

export function startService(kind: ServiceKind, d: ServiceDeps, voter?: Voter): RunningService {
  switch (kind) {
    case "web":
      return serveWeb(d.pair, d.cpu, d.service.port, voter);
    case "transactions":
      return serveTransactions(d);
    case "mail":
      return serveMail(d);
    case "downloads":
      return serveDownloads(d);
    case "files":
      return serveFiles(d);
    case "session":
      return serveSession(d);
  }
}
