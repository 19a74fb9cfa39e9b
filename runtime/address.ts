// Address takeover, as the paper's "reassigning a TCP/IP address": the service address is
// a secondary IP on the edge interface of whichever CPU holds the primary, announced with
// gratuitous ARP so the edge router's ARP cache moves at once. Needs NET_ADMIN (ip addr)
// and NET_RAW (arping), which only CPU containers are granted.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { networkInterfaces } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Interface {
  name: string;
  prefix: number;
}

/** The interface that carries `ip`, and its prefix length. */
export function interfaceOf(ip: string): Interface | undefined {
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const hit = infos?.find((i) => i.family === "IPv4" && i.address === ip);
    if (hit?.cidr) return { name, prefix: Number(hit.cidr.split("/")[1]) };
  }
  return undefined;
}

/**
 * One `ip -batch` kept open for the CPU's life: a takeover writes its command to a process
 * that is already running, where spawning `ip` cost a fork and exec of a node child on the
 * takeover's critical path (tens of ms on a busy two-core host). `ip` prints nothing for a
 * command that worked, so each command is followed by a `link show` of a device that does
 * not exist, named for the step, whose complaint on stderr says the batch is past it.
 */
export class IpBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer = "";
  private readonly waiting = new Map<string, { done: () => void; fail: (err: Error) => void }>();
  private steps = 0;
  private readonly said: string[] = [];
  private queue: Promise<void> = Promise.resolve();

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn("ip", ["-o", "-4", "-force", "-batch", "-"], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const mark = /^Device "(nsm\d+)" does not exist/.exec(line)?.[1];
        if (!mark) {
          // What the step's own command said: only failures print (and "Command failed" after each).
          if (!line.startsWith("Command failed")) this.said.push(line);
          continue;
        }
        const w = this.waiting.get(mark);
        this.waiting.delete(mark);
        const said = this.said.splice(0);
        if (said.length > 0) w?.fail(new Error(`ip: ${said.join("; ")}`));
        else w?.done();
      }
    });
    child.on("exit", () => {
      // Gone (it should never go): the next command starts another.
      if (this.child === child) this.child = undefined;
      for (const w of this.waiting.values()) w.fail(new Error("ip -batch exited"));
      this.waiting.clear();
    });
    child.stdin.on("error", () => undefined);
    return child;
  }

  warm(): void {
    this.child ??= this.start();
  }

  /** Ends the batch (the CPU's own one lives as long as the CPU). */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  /** Runs one `ip` command (without the `ip`), resolving once the batch is past it. */
  run(command: string): Promise<void> {
    const step = this.queue.catch(() => undefined).then(
      () =>
        new Promise<void>((done, fail) => {
          this.child ??= this.start();
          const mark = `nsm${++this.steps % 1_000_000}`;
          this.waiting.set(mark, { done, fail });
          this.child.stdin.write(`${command}\nlink show dev ${mark}\n`);
        }),
    );
    this.queue = step;
    return step;
  }
}

const ip = new IpBatch();

/** Starts the kept-open `ip -batch` now, at boot, so that no takeover pays for its spawn. */
export function prepareAddressing(): void {
  ip.warm();
}

/**
 * Adds the address, then announces it. The announcement runs in the background: the address
 * serves the moment `ip addr add` returns, and arping's own pacing (about a second) must not
 * hold up the takeover. Resolves `announced` when the gratuitous ARPs are out.
 */
export async function takeAddress(vip: string, iface: Interface): Promise<{ announced: Promise<void> }> {
  // `replace`: adding an address already there is not an error. The address first: the
  // spawns of arping block this process for a few ms each, so they follow it.
  await ip.run(`addr replace ${vip}/${iface.prefix} dev ${iface.name}`);
  // Unsolicited ARP requests and replies: whoever cached the old owner's MAC moves now.
  const announced = Promise.all([
    run("arping", ["-U", "-c", "2", "-w", "1", "-I", iface.name, vip]).catch(() => undefined),
    run("arping", ["-A", "-c", "2", "-w", "1", "-I", iface.name, vip]).catch(() => undefined),
  ]).then(() => undefined);
  return { announced };
}

export async function releaseAddress(vip: string, iface: Interface): Promise<void> {
  await ip.run(`addr del ${vip}/${iface.prefix} dev ${iface.name}`).catch(() => undefined);
}
