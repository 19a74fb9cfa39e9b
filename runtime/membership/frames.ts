// ServerNet's wire format: length-prefixed JSON frames on a long-lived TCP link. Pure, so
// the framing is unit-tested apart from sockets; a router's slicer or bandwidth toxic may
// cut a frame anywhere, and the decoder must put it back together.
import { z } from "zod";

/** 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
const HEADER = 4;
/** A snapshot of a large state is the biggest message; anything past this is a broken peer. */
export const MAX_FRAME = 64 * 1024 * 1024;

/**
 * What travels on a link. A message with an `id` expects a reply carrying `re: id`; one
 * without (the "I'm alive" heartbeat) expects nothing. `deadline` (host clock, ms) is when
 * the sender stops waiting: a receiver that only gets to a request later drops it, so a
 * stalled CPU never acts on a proposal or checkpoint its sender has already given up on.
 */
export const Frame = z.union([
  z.object({ path: z.string(), body: z.unknown(), id: z.number().int().positive().optional(), deadline: z.number().optional() }),
  z.object({ re: z.number().int().positive(), status: z.number().int(), body: z.unknown() }),
]);
export type Frame = z.infer<typeof Frame>;
export type MessageFrame = Extract<Frame, { path: string }>;
export type ReplyFrame = Extract<Frame, { re: number }>;

export function encodeFrame(f: Frame): Buffer {
  const json = Buffer.from(JSON.stringify(f), "utf8");
  const out = Buffer.allocUnsafe(HEADER + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, HEADER);
  return out;
}

export class FrameError extends Error {}

/** Reassembles frames from the chunks a socket hands over, in whatever sizes they come. */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  /** Takes a chunk and returns every frame it completes. Throws FrameError on a broken stream. */
  push(chunk: Buffer): Frame[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.size < HEADER) break;
      const head = this.peek(HEADER);
      const len = head.readUInt32BE(0);
      if (len > MAX_FRAME) throw new FrameError(`frame of ${len} bytes is over the ${MAX_FRAME}-byte limit`);
      if (this.size < HEADER + len) break;
      const whole = this.take(HEADER + len);
      let raw: unknown;
      try {
        raw = JSON.parse(whole.subarray(HEADER).toString("utf8"));
      } catch {
        throw new FrameError("frame is not JSON");
      }
      const f = Frame.safeParse(raw);
      if (!f.success) throw new FrameError(`frame is neither a message nor a reply: ${f.error.issues[0]?.message ?? "invalid"}`);
      out.push(f.data);
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.buffered[0];
    if (first && first.length >= n) return first;
    const all = Buffer.concat(this.buffered);
    this.buffered = [all];
    return all;
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 && this.buffered[0] ? this.buffered[0] : Buffer.concat(this.buffered);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return head;
  }
}
