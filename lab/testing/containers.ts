// testcontainers modules for the lab's images, in the style of testcontainers' own
// ToxiproxyContainer: each wraps GenericContainer and adds only what is new. Every
// container carries the lab's labels (Ryuk is off; `reap` is the cleanup) and publishes
// only on 127.0.0.1.
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { dockerName } from "../docker/plumbing.js";
import { labLabels, type Role } from "../docker/labels.js";
import { Router, ROUTER_API_PORT } from "../router/router.js";

// The lab publishes ports on 127.0.0.1 only, so that is the one address its containers can
// be reached at. Left to itself, testcontainers run from inside a container (a CI runner
// with /.dockerenv) picks the bridge's gateway (172.17.0.1) instead, where nothing listens,
// and every wait times out. Set before its client is first made; a user's own override wins.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

export class LabTestContainer extends GenericContainer {
  constructor(image: string, lab: string, role: Role, name: string) {
    super(image);
    this.withName(dockerName(lab, name))
      .withLabels(labLabels(lab, role, name))
      // The images' own HEALTHCHECK probes only every 30 s (each probe costs the engine a
      // process start; lab/machine/plan.ts), far too rarely to wait on. Docker's health
      // is not waited for here: each module waits for its part to answer (below).
      .withStartupTimeout(30_000);
  }

  /** Publishes container ports on 127.0.0.1 only, at ports the engine picks. */
  withLoopbackPorts(...ports: number[]): this {
    this.withExposedPorts(...ports);
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = { ...(this.hostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>) };
    for (const port of ports) bindings[`${port}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: "0" }];
    this.hostConfig.PortBindings = bindings;
    return this;
  }
}

export interface StartedRouterContainer {
  container: StartedTestContainer;
  router: Router;
  /** The host port (on 127.0.0.1) published for a container port of the router. */
  hostPort(containerPort: number): number;
}

/** A router (Toxiproxy) with its API and the given proxy listen ports published. */
export class RouterContainer extends LabTestContainer {
  constructor(image: string, lab: string, name = "router", proxyPorts: number[] = []) {
    super(image, lab, "router", name);
    // From the host, through the published API port: the router is FROM scratch, so
    // testcontainers' default probe (which execs a shell inside) cannot run.
    this.withLoopbackPorts(ROUTER_API_PORT, ...proxyPorts).withWaitStrategy(Wait.forHttp("/version", ROUTER_API_PORT));
  }

  async startRouter(): Promise<StartedRouterContainer> {
    const container = await this.start();
    return {
      container,
      router: new Router(`http://127.0.0.1:${container.getMappedPort(ROUTER_API_PORT)}`),
      hostPort: (p: number) => container.getMappedPort(p),
    };
  }
}

/** The agent's port in the cpu image (its NONSTOP_PORT). */
export const CPU_AGENT_PORT = 8080;

/** A CPU node running the agent (the cpu image's entrypoint). */
export class CpuContainer extends LabTestContainer {
  constructor(image: string, lab: string, name: string) {
    super(image, lab, "cpu", name);
    this.withEnvironment({ NONSTOP_CPU: name })
      .withLoopbackPorts(CPU_AGENT_PORT)
      .withWaitStrategy(Wait.forHttp("/health", CPU_AGENT_PORT));
  }
}
