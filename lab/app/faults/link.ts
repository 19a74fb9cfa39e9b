// Link faults on a user's project: a real Toxiproxy router between one client container
// and one server port (`--from api --to store:7000`), as Testcontainers' Toxiproxy module
// puts one between an app and its database, but without the app being told a new address.
//
// How the router takes the server's place for that one client. Docker's DNS answers a
// name the same way for every container on a network, so a name cannot be moved for one
// client only; an address can. The router (the lab's router image) joins the network the
// two share, a proxy on it forwards to the server's address and port, and a DNAT rule in
// the client's own network namespace (from a helper, NET_ADMIN only) sends the client's
// new connections to that address and port to the proxy instead. Every other container
// still reaches the server directly. The client's open connections to the server are
// closed (`ss -K`) so that it reconnects through the router; the heal removes the toxic,
// the rule and the proxy (which closes the connections through it) and, with its last
// proxy, the router.
//
// A scenario may declare its links ahead (`links: [{ from: api, to: "db:5432" }]`), as
// Testcontainers wires its Toxiproxy in before the test: the router is put in place before
// the steady state, so the client already runs through it when a fault comes, and a link
// fault only adds its toxic (or disables the proxy) and its heal only takes it away.
import { z } from "zod";
import { LabError, UsageError } from "../../errors.js";
import { dockerName } from "../../docker/plumbing.js";
import { HEALED } from "../../faults/kinds/kind.js";
import { StreamSchema, ToxicSchema, addToxic, removeToxic, toxicFromFlags, toxicNames } from "../../faults/kinds/toxic.js";
import { Router, ROUTER_API_PORT } from "../../router/router.js";
import { TOXIC_TYPES, type ToxicType } from "../../router/toxics.js";
import { ROUTER_HEALTHCHECK } from "../../machine/plan.js";
import { runIn } from "../helper.js";
import { select, type AppContainer, type AppSnapshot } from "../system.js";
import { appKind, type AppCliInput, type AppContext } from "./kind.js";

const ROUTER = "router";
const FIRST_LISTEN_PORT = 20000;

/** `store:7000` → the service target and its port. */
export function parseEndpoint(value: string, field: string): { target: string; port: number } {
  const m = /^([^:]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${field}: a service and its port, such as db:5432 (got '${value}')`);
  return { target: m[1], port };
}

function ends(snap: AppSnapshot, f: { from: string; to: string }, at: string): { from: AppContainer; to: AppContainer; port: number; network: string } {
  const [from, ...moreFrom] = select(snap, `${at}.from`, f.from);
  const end = parseEndpoint(f.to, `${at}.to`);
  const [to, ...moreTo] = select(snap, `${at}.to`, end.target);
  if (!from || moreFrom.length) throw new UsageError(`${at}.from: a link starts at one container (${f.from} names ${1 + moreFrom.length})`);
  if (!to || moreTo.length) throw new UsageError(`${at}.to: a link ends at one container (${end.target} names ${1 + moreTo.length})`);
  if (from.container.id && from.container.id === to.container.id) throw new UsageError(`${at}.to: a link joins two different containers`);
  // A snapshot from the Compose file has no addresses yet; the live one must share a network.
  const network = Object.keys(from.container.addresses).find((n) => n in to.container.addresses) ?? "";
  if (from.container.id && !network) throw new UsageError(`${at}.to: ${from.target} and ${to.target} share no network`);
  return { from, to, port: end.port, network };
}

const proxyName = (from: AppContainer, to: AppContainer, port: number) => `${from.target}->${to.target}:${port}`;
/** A declared link's proxy: there for the whole run, never withdrawn by a heal. */
const declaredName = (name: string) => `declared:${name}`;

async function routerOf(ctx: AppContext, network: string): Promise<{ router: Router; ip: string }> {
  const name = dockerName(ctx.lab, ROUTER);
  let c = await ctx.plumbing.container.tryInspect(name);
  if (!c) {
    if (!ctx.routerImage) throw new LabError(`lab ${ctx.lab} has no router image recorded; bring the project up again to use link faults`);
    c = await ctx.plumbing.container.run({ lab: ctx.lab, role: "router", name: ROUTER, image: ctx.routerImage, networks: [{ network }], publish: [ROUTER_API_PORT], healthcheck: ROUTER_HEALTHCHECK });
  } else if (!(network in c.addresses)) {
    await ctx.plumbing.network.connect(network, c.id);
    c = await ctx.plumbing.container.inspect(c.id);
  }
  const api = c.ports.find((p) => p.container === ROUTER_API_PORT);
  const ip = c.addresses[network];
  if (!api || !ip) throw new LabError(`the link router of lab ${ctx.lab} has no API port or no address on ${network}`);
  const router = new Router(`http://127.0.0.1:${api.hostPort}`);
  for (let i = 0; i < 100 && !(await router.version().then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
  return { router, ip };
}

export interface LinkUndo {
  proxy: string;
  from: string;
  routerIp: string;
  listen: number;
  /** The proxy of a declared link: the heal leaves it in place. */
  declared?: boolean;
}

/** Puts the router between the two ends (once per link) and returns where the proxy listens. */
async function interpose(ctx: AppContext, f: { from: string; to: string }, id: string, declare = false): Promise<{ router: Router; undo: LinkUndo }> {
  const { from, to, port, network } = ends(await ctx.snapshot(), f, declare ? "links" : "fault");
  const { router, ip } = await routerOf(ctx, network);
  const proxies = await router.proxies();
  const plain = proxyName(from, to, port);
  const declared = proxies.find((p) => p.name === declaredName(plain));
  if (declared && !declare) {
    // Declared ahead: the client already runs through it.
    return { router, undo: { proxy: declared.name, from: from.target, routerIp: ip, listen: Number(declared.listen.split(":").pop()), declared: true } };
  }
  const name = declare ? declaredName(plain) : plain;
  if (proxies.some((p) => p.name === name)) throw new UsageError(`link: ${plain} already has a link fault; heal it first`);
  const used = new Set(proxies.map((p) => Number(p.listen.split(":").pop())));
  let listen = FIRST_LISTEN_PORT;
  while (used.has(listen)) listen++;
  const toIp = to.container.addresses[network] ?? "";
  await router.ensureProxy({ name, listen: `0.0.0.0:${listen}`, upstream: `${toIp}:${port}` });
  const chain = `NSL-${id}`.slice(0, 28);
  await runIn(ctx, from, id, "net", [
    "set -e",
    `iptables -w -t nat -N ${chain}`,
    `iptables -w -t nat -A ${chain} -d ${toIp} -p tcp --dport ${port} -j DNAT --to-destination ${ip}:${listen}`,
    `iptables -w -t nat -I OUTPUT -j ${chain}`,
    // Open connections would bypass the new rule (NAT applies to new ones): close them.
    `ss -K dst ${toIp} dport = :${port} >/dev/null 2>&1 || true`,
  ].join("\n"));
  return { router, undo: { proxy: name, from: from.target, routerIp: ip, listen } };
}

/** The link router if the lab has one, with its container id. */
async function existingRouter(ctx: AppContext): Promise<{ id: string; router: Router } | undefined> {
  const c = await ctx.plumbing.container.tryInspect(dockerName(ctx.lab, ROUTER));
  const api = c?.ports.find((p) => p.container === ROUTER_API_PORT);
  return c && api ? { id: c.id, router: new Router(`http://127.0.0.1:${api.hostPort}`) } : undefined;
}

async function withdraw(ctx: AppContext, undo: LinkUndo | undefined, id: string): Promise<void> {
  if (undo?.declared) return;
  const chain = `NSL-${id}`.slice(0, 28);
  const snap = await ctx.snapshot();
  const from = snap.containers.find((c) => c.target === undo?.from);
  if (from && from.container.state === "running") {
    await runIn(ctx, from, id, "net", `while iptables -w -t nat -D OUTPUT -j ${chain} 2>/dev/null; do :; done; iptables -w -t nat -F ${chain} 2>/dev/null; iptables -w -t nat -X ${chain} 2>/dev/null; true`);
  }
  const r = await existingRouter(ctx);
  if (!r) return;
  if (undo) await r.router.removeProxy(undo.proxy).catch(() => undefined);
  // The router goes with its last link.
  if ((await r.router.proxies().catch(() => [])).length === 0) await ctx.plumbing.container.remove(r.id);
}

const linkFields = { from: z.string().min(1), to: z.string().regex(/^[^:]+:\d{1,5}$/, "a service and its port, such as db:5432") };
const linkOf = (i: AppCliInput) => {
  if (!i.flags.from) throw new UsageError("--from is required: the client's service, e.g. --from api");
  if (!i.flags.to) throw new UsageError("--to is required: the server's service and port, e.g. --to db:5432");
  return { from: i.flags.from, to: i.flags.to };
};

export const linkFaults = {
  "link.toxic": appKind({
    schema: z.object({ kind: z.literal("link.toxic"), ...linkFields, toxic: ToxicSchema, stream: StreamSchema }).strict(),
    summary: "a Toxiproxy toxic on what --from sends to --to (service:port) and back, through a router put between them",
    describe: (f) => `link.${f.toxic.type} ${f.from}→${f.to}`,
    check: (f, snap, at) => void ends(snap, f, at),
    cli: {
      names: toxicNames("link"),
      parse: (i) => {
        const type = i.name.split(".")[1] as ToxicType;
        if (!(TOXIC_TYPES as readonly string[]).includes(type)) throw new UsageError(`fault kind: link.${type}: allowed toxics: ${TOXIC_TYPES.join(", ")}`);
        return { kind: "link.toxic", ...linkOf(i), toxic: toxicFromFlags(type, i.flags), ...(i.flags.stream ? { stream: i.flags.stream } : {}) };
      },
    },
    apply: async (f, id, ctx) => {
      const { router, undo } = await interpose(ctx, f, id);
      await addToxic(router, [undo.proxy], id, f.toxic, f.stream);
      return undo;
    },
    revert: async (f, undo, id, ctx) => {
      const r = await existingRouter(ctx);
      if (r && undo) await removeToxic(r.router, [undo.proxy], id).catch(() => undefined);
      await withdraw(ctx, undo, id);
      return HEALED;
    },
  }),

  "link.down": appKind({
    schema: z.object({ kind: z.literal("link.down"), ...linkFields }).strict(),
    summary: "the link from --from to --to (service:port) down: connections refused, open ones dropped",
    describe: (f) => `link.down ${f.from}→${f.to}`,
    check: (f, snap, at) => void ends(snap, f, at),
    cli: { parse: (i) => ({ kind: "link.down", ...linkOf(i) }) },
    apply: async (f, id, ctx) => {
      const { router, undo } = await interpose(ctx, f, id);
      await router.setEnabled(undo.proxy, false);
      return undo;
    },
    revert: async (_f, undo, id, ctx) => {
      if (undo?.declared) await (await existingRouter(ctx))?.router.setEnabled(undo.proxy, true);
      await withdraw(ctx, undo, id);
      return HEALED;
    },
  }),
};

export const LinkSpec = z.object(linkFields).strict();
export type LinkSpec = z.infer<typeof LinkSpec>;

/** Checks a scenario's declared links against the project before anything runs. */
export function checkLinks(links: readonly LinkSpec[], snap: AppSnapshot, at: (i: number) => string): void {
  links.forEach((l, i) => void ends(snap, l, at(i)));
}

/** The fault id a declared link's rules go by: from its proxy's name, so a later heal finds them. */
const declaredId = (plain: string) => `decl-${plain.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 24);

/** Puts the router in place for each declared link, before the run's steady state. */
export async function declareLinks(ctx: AppContext, links: readonly LinkSpec[]): Promise<void> {
  const snap = await ctx.snapshot();
  for (const l of links) {
    const { from, to, port } = ends(snap, l, "links");
    await interpose(ctx, l, declaredId(proxyName(from, to, port)), true);
  }
}

/**
 * Takes every declared link out again (`nonstop heal`, and the reconcile after a heal of
 * everything): the clients' DNAT rules first, so none is left pointing at a router that is
 * about to go.
 */
export async function withdrawDeclared(ctx: AppContext): Promise<void> {
  const r = await existingRouter(ctx);
  if (!r) return;
  for (const p of await r.router.proxies().catch(() => [])) {
    if (!p.name.startsWith("declared:")) continue;
    const plain = p.name.slice("declared:".length);
    const from = plain.split("->")[0] ?? "";
    await withdraw(ctx, { proxy: p.name, from, routerIp: "", listen: 0 }, declaredId(plain));
  }
}
