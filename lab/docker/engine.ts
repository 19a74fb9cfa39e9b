// The one place the lab connects to Docker. Configuration (DOCKER_HOST) is read here, at
// the edge, and an unreachable engine becomes a one-line EngineUnavailable.
import Docker from "dockerode";
import { EngineUnavailable, errorMessage } from "../errors.js";

export interface EngineOptions {
  /** A DOCKER_HOST-style address; defaults to the environment's, then the local socket. */
  host?: string;
  pingTimeoutMs?: number;
}

function describe(host: string | undefined): string {
  return host ?? "/var/run/docker.sock";
}

function connectOptions(host: string | undefined): Docker.DockerOptions {
  if (!host) return { socketPath: "/var/run/docker.sock" };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  if (host.startsWith("ssh://")) {
    // docker-modem runs the API over an SSH channel (`docker system dial-stdio` on the far
    // side), with the keys of this user's ssh-agent, as the docker CLI's ssh:// does.
    const url = new URL(host);
    return { protocol: "ssh", host: url.hostname, port: Number(url.port || 22), ...(url.username ? { username: url.username } : {}), sshOptions: { ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}) } };
  }
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: "http" };
}

/** Connects and pings; throws EngineUnavailable (exit 3) when nothing answers. */
export async function connectEngine(opts: EngineOptions = {}): Promise<Docker> {
  const host = opts.host ?? (process.env.DOCKER_HOST || undefined);
  const docker = new Docker({ ...connectOptions(host), timeout: 0 });
  const timeout = opts.pingTimeoutMs ?? 5_000;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeout} ms`)), timeout).unref()),
    ]);
  } catch (err) {
    const msg = errorMessage(err);
    const code = (err as NodeJS.ErrnoException).code;
    throw new EngineUnavailable(describe(host), code ? `${code}` : msg);
  }
  return docker;
}
