// Memory pressure for the cpu.memory fault: a child process that allocates and touches
// `mb` megabytes and holds them. A child, not the agent's own heap, so the memory counts
// in the CPU's cgroup exactly like a runaway service would, and is freed at once (kill)
// when the fault heals.
import { spawn, type ChildProcess } from "node:child_process";

const HOG = `
const mb = Number(process.argv[1]);
const held = [];
for (let i = 0; i < mb; i++) held.push(Buffer.alloc(1 << 20, i & 0xff));
process.send?.("held");
setInterval(() => held.length, 1 << 30);
`;

const hogs = new Map<string, ChildProcess>();

export function pressMemory(id: string, mb: number): Promise<void> {
  release(id);
  const child = spawn(process.execPath, ["-e", HOG, String(mb)], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  hogs.set(id, child);
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve());
    // Killed by the OOM killer before it held everything: the pressure was real.
    child.once("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`memory hog exited (${code ?? signal})`))));
  });
}

export function release(id: string): boolean {
  const child = hogs.get(id);
  if (!child) return false;
  child.kill("SIGKILL");
  hogs.delete(id);
  return true;
}

export function held(): string[] {
  return [...hogs.keys()];
}
