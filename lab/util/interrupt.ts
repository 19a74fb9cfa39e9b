// The one way the lab meets Ctrl-C and SIGTERM: the first signal runs the caller's
// clean-up (heal the faults, remove the lab, stop the console), then the process exits
// with the shell's code for that signal (130 / 143). Handlers go when the returned
// Disposable is disposed, so a library caller's own handlers are never left doubled.
import { errorMessage } from "../errors.js";

export const EXIT_CODE: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

export interface InterruptOptions {
  /** Printed when the signal arrives, after "nonstop: SIGINT: " (a function: said as it is then). */
  what: string | (() => string);
  /** How long the clean-up may take before the process exits anyway. */
  graceMs?: number;
  /** Exit once cleaned up (CLIs); a long-running server that returns on its own passes false. */
  exit?: boolean;
  log?: (line: string) => void;
}

export function onInterrupt(cleanup: (signal: NodeJS.Signals) => Promise<unknown>, o: InterruptOptions): Disposable {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const handler = (signal: NodeJS.Signals) => {
    remove();
    log(`\nnonstop: ${signal}: ${typeof o.what === "function" ? o.what() : o.what}`);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, o.graceMs ?? 30_000)));
    void Promise.race([
      cleanup(signal).catch((err: unknown) => log(`nonstop: clean-up failed: ${errorMessage(err)}`)),
      grace,
    ]).finally(() => {
      clearTimeout(timer);
      if (o.exit ?? true) process.exit(signal === "SIGTERM" ? EXIT_CODE.SIGTERM : EXIT_CODE.SIGINT);
    });
  };
  const remove = () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return { [Symbol.dispose]: remove };
}
