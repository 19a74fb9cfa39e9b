// Store and forward: a message is accepted into the queue (the 250 reply waits for that to
// be journaled and checkpointed), then delivered from the queue to its recipients'
// mailboxes. The Message-ID names a message: one accepted again (a client resending after
// a broken session) is recognised and not queued twice.

export type MailOp = { f: "mail.accept"; id: string; from: string; to: string[]; data: string } | { f: "mail.deliver"; id: string };

export interface MailState {
  messages: Record<string, { from: string; to: string[]; data: string }>;
  /** Accepted, not yet delivered, oldest first. */
  queue: string[];
  /** Recipient to the Message-IDs delivered to it, in order. */
  mailboxes: Record<string, string[]>;
}

export function emptyMail(): MailState {
  return { messages: {}, queue: [], mailboxes: {} };
}

export function applyMail(s: MailState, op: MailOp): void {
  if (op.f === "mail.accept") {
    if (s.messages[op.id]) return; // a resend of a message already accepted
    s.messages[op.id] = { from: op.from, to: op.to, data: op.data };
    s.queue.push(op.id);
    return;
  }
  const at = s.queue.indexOf(op.id);
  const m = s.messages[op.id];
  if (at < 0 || !m) return; // delivered already
  s.queue.splice(at, 1);
  for (const rcpt of m.to) (s.mailboxes[rcpt] ??= []).push(op.id);
}
