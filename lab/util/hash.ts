// Content hashes that name images and cache entries: same inputs, same tag, no rebuild.
import { createHash } from "node:crypto";

export function inputsHash(parts: readonly (string | Buffer)[], length = 12): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(typeof p === "string" ? `s${p.length}:` : `b${p.length}:`);
    h.update(p);
  }
  return h.digest("hex").slice(0, length);
}
