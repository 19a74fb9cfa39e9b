// Lab ids for tests: the "t-" prefix is what the global teardown reaps.
import { randomBytes } from "node:crypto";

export function testLabId(what: string): string {
  return `t-${what}-${randomBytes(3).toString("hex")}`.slice(0, 31);
}
