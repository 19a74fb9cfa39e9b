// A router is one Toxiproxy server. This wraps toxiproxy-node-client so the rest of the
// lab speaks in proxies and typed toxics (./toxics.ts), never in loose generics.
import { Toxiproxy, type Proxy } from "toxiproxy-node-client";
import { LabError, errorMessage } from "../errors.js";
import { isToxicType, toWire, type ToxicSpec, type WireToxic } from "./toxics.js";

export const ROUTER_API_PORT = 8474;

export interface ProxySpec {
  name: string;
  /** host:port inside the router container, e.g. 0.0.0.0:20000 */
  listen: string;
  /** host:port the router forwards to, on the lab's networks. */
  upstream: string;
  enabled?: boolean;
}

export interface ProxyState extends Required<ProxySpec> {
  toxics: WireToxic[];
}

/** A toxic in place; `remove()` heals it. Works with `await using`. */
export interface ToxicHandle extends AsyncDisposable {
  readonly proxy: string;
  readonly toxic: WireToxic;
  remove(): Promise<void>;
}

export class Router {
  private readonly client: Toxiproxy;

  /** `apiUrl` is the router's API as the host sees it: http://127.0.0.1:<published port>. */
  constructor(readonly apiUrl: string) {
    this.client = new Toxiproxy(apiUrl);
  }

  async version(): Promise<string> {
    return this.client.getVersion();
  }

  /** Creates the proxy, or updates it in place when one of that name exists. */
  async ensureProxy(spec: ProxySpec): Promise<void> {
    const all = await this.client.getAll();
    const have = all[spec.name];
    const enabled = spec.enabled ?? true;
    if (!have) {
      await this.client.createProxy({ ...spec, enabled });
    } else if (have.listen !== spec.listen || have.upstream !== spec.upstream || have.enabled !== enabled) {
      await have.update({ listen: spec.listen, upstream: spec.upstream, enabled });
    }
  }

  /**
   * Creates every proxy in one call (Toxiproxy's /populate). Proxies that already exist
   * with the same listen and upstream are left as they are, toxics included.
   */
  async ensureProxies(specs: ProxySpec[]): Promise<void> {
    if (specs.length === 0) return;
    await this.client.populate(specs.map((s) => ({ ...s, enabled: s.enabled ?? true })));
  }

  /**
   * Every proxy with its toxics, from the server (the truth a second process sees too).
   * Read from GET /proxies itself: the client's getAll() builds its proxies without their
   * toxics, so a toxic left on a link did not show here (the shared lab's reset proof found it).
   */
  async proxies(): Promise<ProxyState[]> {
    const res = await fetch(`${this.apiUrl}/proxies`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new LabError(`router ${this.apiUrl}: listing proxies failed (${res.status})`);
    const all = (await res.json()) as Record<string, { name: string; listen: string; upstream: string; enabled: boolean; toxics?: { name: string; type: string; stream: "upstream" | "downstream"; toxicity: number; attributes: Record<string, number> }[] }>;
    return Object.values(all).map((json) => ({
      name: json.name,
      listen: json.listen,
      upstream: json.upstream,
      enabled: json.enabled,
      toxics: (json.toxics ?? []).flatMap((t) => (isToxicType(t.type) ? [{ name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes }] : [])),
    }));
  }

  private async get(proxy: string): Promise<Proxy> {
    try {
      return await this.client.get(proxy);
    } catch (err) {
      throw new LabError(`router ${this.apiUrl} has no proxy ${proxy}: ${errorMessage(err)}`);
    }
  }

  async addToxic(proxy: string, spec: ToxicSpec): Promise<ToxicHandle> {
    const wire = toWire(spec);
    const p = await this.get(proxy);
    await p.addToxic<Record<string, number>>(wire);
    const remove = () => this.removeToxic(proxy, wire.name);
    return { proxy, toxic: wire, remove, [Symbol.asyncDispose]: remove };
  }

  /** Removes a toxic; removing one that is already gone is not an error (heal is idempotent). */
  async removeToxic(proxy: string, name: string): Promise<void> {
    const res = await fetch(`${this.apiUrl}/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`, { method: "DELETE" });
    if (!res.ok && res.status !== 404) throw new LabError(`router ${this.apiUrl}: removing toxic ${name} from ${proxy} failed (${res.status})`);
  }

  /** Link down / up: a disabled proxy refuses connections and drops open ones. */
  async setEnabled(proxy: string, enabled: boolean): Promise<void> {
    const p = await this.get(proxy);
    await p.update({ listen: p.listen, upstream: p.upstream, enabled });
  }

  /** Removes a proxy, closing its connections; one already gone is not an error. */
  async removeProxy(proxy: string): Promise<void> {
    const res = await fetch(`${this.apiUrl}/proxies/${encodeURIComponent(proxy)}`, { method: "DELETE" });
    if (!res.ok && res.status !== 404) throw new LabError(`router ${this.apiUrl}: removing proxy ${proxy} failed (${res.status})`);
  }

  /** Enables every proxy and removes every toxic: the router's own heal-all. */
  async reset(): Promise<void> {
    await this.client.reset();
  }
}
