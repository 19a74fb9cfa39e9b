// An SMTP client (nodemailer) in the role of a sending mail server: it keeps a message
// until a 250, sends it again after a broken session or a 4xx, and gives up only after its
// deadline. Each message has its own Message-ID, which is how the server spots a resend.
import { createTransport, type Transporter } from "nodemailer";
import { retryUntil } from "../retry.js";
import type { Client, Operation, Outcome } from "../types.js";

export interface MailValue {
  id: string;
  to: string;
}

export function mailFor(i: number, run: string, mailboxes = 5): Operation {
  return { f: "mail", value: { id: `<${run}-m${i}@client.nonstop-lab>`, to: `user${i % mailboxes}@nonstop-lab` } satisfies MailValue };
}

export class MailClient implements Client {
  private readonly transport: Transporter;

  constructor(private readonly spec: { port: number; timeoutMs: number; deadlineMs: number; bodyBytes?: number }) {
    // One session per message (no pool), as a mail server delivers; no TLS on the lab's edge.
    this.transport = createTransport({
      host: "127.0.0.1",
      port: spec.port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: spec.timeoutMs,
      greetingTimeout: spec.timeoutMs,
      socketTimeout: spec.timeoutMs,
    });
  }

  invoke(op: Operation, signal: AbortSignal): Promise<Outcome> {
    const m = op.value as MailValue;
    const text = `Hello from nonstop-lab, message ${m.id}.\n${"x".repeat(this.spec.bodyBytes ?? 2000)}\n`;
    return retryUntil(
      async () => {
        try {
          const info = (await this.transport.sendMail({ from: "sender@client.nonstop-lab", to: m.to, subject: `test ${m.id}`, text, messageId: m.id })) as { response?: string };
          const node = /on (cpu-\d+)/.exec(info.response ?? "")?.[1];
          return { done: { type: "ok", value: m, ...(node ? { node } : {}) } };
        } catch (err) {
          const e = err as { responseCode?: number; code?: string; message?: string };
          // 5xx is permanent: the server refused the message for good.
          if (e.responseCode !== undefined && e.responseCode >= 500) return { done: { type: "fail", error: `${e.responseCode} ${e.message ?? ""}` } };
          return { again: e.responseCode ? `${e.responseCode}` : (e.code ?? e.message ?? "error"), certain: /ECONNREFUSED/.test(e.message ?? "") };
        }
      },
      { deadlineMs: this.spec.deadlineMs, backoffMs: 100 },
      signal,
    );
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
