// Mail: store and forward over real SMTP (the smtp-server library). A message is answered
// 250 only once it is in the queue on the RAID and in the backup; a failure before that is
// a temporary error (4xx, or the connection breaking), and SMTP clients send again. The
// Message-ID header names the message, so a resend after a lost 250 is not queued twice.
// The primary then delivers the queue to the recipients' mailboxes, each exactly once.
import { randomBytes } from "node:crypto";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { NotPrimary } from "../pairs/pair.js";
import { emptyMail } from "./state/mail.js";
import type { RunningService, ServiceDeps } from "./types.js";

const MAX_BYTES = 1024 * 1024;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The Message-ID of a message, from its header block. */
export function messageIdOf(raw: string): string | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(headers)?.[1];
}

function readAll(stream: SMTPServerDataStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

export function serveMail({ pair, cpu, service, events, crash }: ServiceDeps): RunningService {
  const mail = () => pair.state.mail ?? emptyMail();
  const server = new SMTPServer({
    name: `${cpu}.nonstop-lab`,
    banner: `nonstop-lab mail on ${cpu}`,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: MAX_BYTES,
    logger: false,
    closeTimeout: 500,
    onConnect(_session, callback) {
      // Only the primary takes mail: 421 tells a client to come back later.
      callback(pair.role === "primary" ? null : smtpError(421, `${cpu} is not the primary; try again`));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      void (async () => {
        // The mail crash sweep's moment: the body is arriving, nothing is queued yet.
        stream.once("data", () => crash?.reached(service.name, "mid-data"));
        const raw = await readAll(stream);
        if (stream.sizeExceeded) return callback(smtpError(552, `message larger than ${MAX_BYTES} bytes`));
        // A message without a Message-ID gets one: it cannot be recognised if sent twice.
        const id = messageIdOf(raw) ?? `<${randomBytes(8).toString("hex")}@${cpu}.nonstop-lab>`;
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const to = session.envelope.rcptTo.map((r) => r.address);
        try {
          await pair.write({ f: "mail.accept", id, from, to, data: raw });
          callback(null, `queued as ${id} on ${cpu}`);
        } catch (err) {
          callback(smtpError(err instanceof NotPrimary ? 421 : 451, `not queued, try again: ${err instanceof Error ? err.message : String(err)}`));
        }
      })().catch((err: unknown) => callback(smtpError(451, String(err))));
    },
  });
  server.on("error", (err) => events.push({ type: "service.error", service: service.name, error: err.message }));
  server.listen(service.port, "0.0.0.0");

  // Forwarding: the primary delivers what is queued, journaled like any change, so a
  // takeover in the middle neither loses nor repeats a delivery (delivering twice is a no-op).
  let delivering = false;
  const timer = setInterval(() => {
    if (delivering || pair.role !== "primary" || mail().queue.length === 0) return;
    delivering = true;
    Promise.all(mail().queue.map((id) => pair.write({ f: "mail.deliver", id })))
      .catch(() => undefined)
      .finally(() => (delivering = false));
  }, 100);
  timer.unref();
  return {
    truth: () => {
      const m = mail();
      return { queue: m.queue, mailboxes: m.mailboxes, accepted: Object.keys(m.messages).length };
    },
    close: () => {
      clearInterval(timer);
      server.close();
    },
  };
}
