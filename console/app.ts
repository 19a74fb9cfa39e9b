// The console's page logic: draws the machine from the server's pushed state, charts the
// demo workload, lists events, and sends control actions with the token. Runs in the
// browser; bundled by lab/console/page.ts.
import uPlot from "uplot";
import type { CpuView, PushedState as State, WorkloadSample as Stats } from "../lab/console/types.js";

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const tokenInput = $("token") as HTMLInputElement;
// The CLI prints the URL with the token in the fragment: it never reaches a server log.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) sessionStorage.setItem("nonstop-token", fromHash);
tokenInput.value = sessionStorage.getItem("nonstop-token") ?? "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("nonstop-token", tokenInput.value));

/** Active faults this page started, by what they are: the buttons that undo them heal these. */
const active = new Map<string, string>();
let state: State | undefined;

function say(text: string): void {
  $("msg").textContent = text;
}

async function post(path: string, body: unknown): Promise<Record<string, unknown> | undefined> {
  const r = await fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-nonstop-token": tokenInput.value }, body: JSON.stringify(body) });
  const j = (await r.json()) as Record<string, unknown>;
  if (!r.ok) {
    say(typeof j.error === "string" ? j.error : `HTTP ${r.status}`);
    return undefined;
  }
  say("");
  return j;
}

async function fault(key: string, f: Record<string, unknown>): Promise<void> {
  const r = await post("/api/fault", f);
  if (r && typeof r.id === "string") active.set(key, r.id);
  render();
}

async function heal(key: string): Promise<void> {
  const id = active.get(key);
  if (!id) return;
  active.delete(key);
  await post("/api/heal", { id });
  render();
}

function button(label: string, onClick: () => void, danger = false, testId?: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.textContent = label;
  if (danger) b.className = "danger";
  if (testId) b.dataset.testid = testId;
  b.addEventListener("click", onClick);
  return b;
}

function cpuClass(c: CpuView): string {
  if (c.state === "paused") return "paused";
  if (c.state !== "running" || c.health !== "healthy") return "down";
  if (c.viewId !== null && !c.quorate) return "fenced";
  return "up";
}

/** A user's Compose project: a box per container, with its service, state and health, and its faults. */
function renderApp(s: State, app: NonNullable<State["app"]>): void {
  $("machine-title").textContent = `Compose project ${app.project}`;
  for (const id of ["planes-title", "planes", "disks-title", "disks", "services-title", "services"]) $(id).hidden = true;
  $("cpus").replaceChildren(
    ...app.containers.map((c) => {
      const d = document.createElement("div");
      const cls = c.state === "paused" ? "paused" : c.state !== "running" || c.health === "unhealthy" ? "down" : "up";
      d.className = `card ${cls}`;
      d.dataset.container = c.target;
      d.dataset.status = cls;
      d.innerHTML = `<div class="name">${c.target}</div><div class="state">${c.state}${c.health !== "none" ? ` · ${c.health}` : ""}</div><span class="badge backup">${c.service}</span><div class="state">${c.addresses.join(", ")}${c.ports.length ? ` · ${c.ports.join(", ")}` : ""}</div>`;
      return d;
    }),
  );
  const rows: HTMLElement[] = app.containers.map((c) => {
    const row = document.createElement("div");
    row.append(`${c.target}: `);
    for (const kind of ["kill", "pause", "restart"] as const) {
      const key = `${kind} ${c.target}`;
      if (active.has(key)) row.append(button(kind === "pause" ? "resume" : "bring back", () => void heal(key)));
      else row.append(button(kind, () => void fault(key, { kind: `container.${kind}`, target: c.target }), kind === "kill", `${kind}-${c.target}`));
    }
    const slow = `delay ${c.target}`;
    if (active.has(slow)) row.append(button("undelay", () => void heal(slow)));
    else row.append(button("+300 ms", () => void fault(slow, { kind: "net.delay", target: c.target, ms: 300, jitterMs: 0 })));
    return row;
  });
  const all = document.createElement("div");
  all.append(
    button("heal all", () => {
      active.clear();
      void post("/api/heal", {}).then(() => render());
    }),
  );
  $("controls").replaceChildren(...rows, all);
  $("lab").textContent = `lab ${s.lab}`;
}

function render(): void {
  const s = state;
  if (!s) return;
  if (s.app) return renderApp(s, s.app);
  $("lab").textContent = `lab ${s.lab}`;
  const cpus = $("cpus");
  cpus.replaceChildren(
    ...s.cpus.map((c) => {
      const d = document.createElement("div");
      const cls = cpuClass(c);
      d.className = `card ${cls}`;
      d.dataset.cpu = c.name;
      d.dataset.status = cls;
      d.innerHTML = `<div class="name">${c.name}</div><div class="state">${cls === "up" ? `up · view ${c.viewId ?? "-"}` : cls}</div>`;
      for (const [svc, role] of Object.entries(c.roles)) {
        if (role === "primary" || role === "backup") {
          const b = document.createElement("span");
          b.className = `badge ${role}`;
          b.dataset.role = role;
          b.textContent = `${role} ${svc}`;
          d.append(b);
        }
        if (role === "primary") {
          const a = document.createElement("span");
          a.className = "badge addr";
          a.textContent = `holds ${svc} address`;
          d.append(a);
        }
      }
      return d;
    }),
  );
  // Planes: how many CPU-to-CPU links each CPU reports hearing on it, and the router.
  $("planes").replaceChildren(
    ...s.planes.map((p) => {
      const router = s.routers.find((r) => r.plane === `plane ${p}` || r.name === `router-${p}`);
      let heard = 0;
      let links = 0;
      for (const c of s.cpus) {
        for (const planes of Object.values(c.hears)) {
          links++;
          if (planes[p]) heard++;
        }
      }
      const div = document.createElement("div");
      div.className = "plane";
      div.dataset.plane = p;
      const bytes = s.traffic[p];
      const rate = bytes === null || bytes === undefined ? "–" : bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB/s` : `${Math.round(bytes / 1e3)} KB/s`;
      div.innerHTML = `<b>${p}</b> <span class="dim">${router?.name ?? "router"} ${router?.health ?? "?"}</span><div class="bar"><div class="fill" style="width:${links ? Math.round((heard / links) * 100) : 0}%"></div></div><span>${heard}/${links} links · <span data-traffic="${p}">${rate}</span></span>`;
      return div;
    }),
  );
  $("disks").replaceChildren(
    ...s.mirrors.map((m) => {
      const views = s.cpus.flatMap((c) => c.disks.filter((d) => d.name === m));
      const failed = views.some((v) => v.state !== "ok");
      const rebuild = views.find((v) => v.rebuild)?.rebuild;
      const d = document.createElement("div");
      d.className = `card ${failed ? "down" : "up"}`;
      d.innerHTML = `<div class="name">${m}</div><div class="state">${failed ? "degraded" : "ok"} · ${views.reduce((a, v) => a + v.repaired, 0)} repaired</div>`;
      if (rebuild) d.innerHTML += `<span class="badge reb">rebuilding ${rebuild.done}/${rebuild.files}</span>`;
      return d;
    }),
  );
  $("services").innerHTML = s.services.map((v) => `<div><b>${v.name}</b> primary <b data-service-primary="${v.name}">${v.primary ?? "none"}</b>, backup ${v.backup ?? "none"} · ${v.url ?? ""}</div>`).join("");
  renderControls(s);
}

function renderControls(s: State): void {
  const box = $("controls");
  const rows: HTMLElement[] = [];
  for (const c of s.cpus) {
    const row = document.createElement("div");
    row.append(`${c.name}: `);
    row.append(button("kill", () => void fault(`kill ${c.name}`, { kind: "cpu.kill", cpu: c.name }), true, `kill-${c.name}`));
    if (active.has(`kill ${c.name}`)) row.append(button("repair", () => void heal(`kill ${c.name}`)));
    if (active.has(`pause ${c.name}`)) row.append(button("resume", () => void heal(`pause ${c.name}`)));
    else row.append(button("pause", () => void fault(`pause ${c.name}`, { kind: "cpu.pause", cpu: c.name })));
    rows.push(row);
  }
  for (const p of s.planes) {
    const row = document.createElement("div");
    row.append(`plane ${p}: `);
    if (active.has(`plane ${p}`)) row.append(button("restore", () => void heal(`plane ${p}`)));
    else row.append(button("fail", () => void fault(`plane ${p}`, { kind: "plane.fail", plane: p }), true));
    rows.push(row);
  }
  for (const m of s.mirrors) {
    const row = document.createElement("div");
    row.append(`${m}: `);
    row.append(button("corrupt 32 bytes", () => void fault(`corrupt ${m}`, { kind: "disk.corrupt", mirror: m, bytes: 32, seed: Date.now() % 100000 }), true));
    if (active.has(`wipe ${m}`)) row.append(button("put old disk back", () => void heal(`wipe ${m}`)));
    else row.append(button("wipe", () => void fault(`wipe ${m}`, { kind: "disk.wipe", mirror: m }), true));
    rows.push(row);
  }
  const part = document.createElement("div");
  const names = s.cpus.map((c) => c.name);
  const half = Math.ceil(names.length / 2);
  const grudge: Record<string, string[]> = {};
  for (const [i, n] of names.entries()) grudge[n] = i < half ? names.slice(half) : names.slice(0, half);
  part.append("partition: ");
  if (active.has("partition")) part.append(button("heal partition", () => void heal("partition")));
  else part.append(button(`cut ${names.slice(0, half).join(",")} | ${names.slice(half).join(",")}`, () => void fault("partition", { kind: "partition", grudge }), true));
  rows.push(part);
  const all = document.createElement("div");
  all.append(
    button("heal all", () => {
      active.clear();
      void post("/api/heal", {}).then(() => render());
    }),
  );
  rows.push(all);
  box.replaceChildren(...rows);
}

// ── charts ──────────────────────────────────────────────────────────────────
const width = () => Math.max(380, ($("chart-ops").parentElement?.clientWidth ?? 600) - 30);
const series: [number[], number[], number[], (number | null)[]] = [[], [], [], []];
const opsChart = new uPlot(
  { title: "ops/s and errors/s", width: width(), height: 220, series: [{}, { label: "ok/s", stroke: "#2fbf71", width: 2 }, { label: "errors/s", stroke: "#e5484d", width: 2 }] },
  [[], [], []],
  $("chart-ops"),
);
const p99Chart = new uPlot({ title: "p99 latency (ms)", width: width(), height: 180, series: [{}, { label: "p99 ms", stroke: "#4aa8ff", width: 2 }] }, [[], []], $("chart-p99"));

function pushStats(s: Stats): void {
  const t = s.t / 1000;
  series[0].push(t);
  series[1].push(s.ops);
  series[2].push(s.errors);
  series[3].push(s.p99);
  for (const a of series) if (a.length > 240) a.shift();
  opsChart.setData([series[0], series[1], series[2]]);
  p99Chart.setData([series[0], series[3]]);
  document.body.dataset.lastStats = String(Date.now());
  document.body.dataset.lastOps = String(s.ops);
}

// ── events ──────────────────────────────────────────────────────────────────
function addEvent(text: string, cls = ""): void {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (cls) li.className = cls;
  const ul = $("events");
  ul.prepend(li);
  while (ul.children.length > 200) ul.lastElementChild?.remove();
}

const es = new EventSource("/api/stream");
es.addEventListener("state", (e) => {
  state = JSON.parse((e as MessageEvent<string>).data) as State;
  render();
});
es.addEventListener("stats", (e) => pushStats(JSON.parse((e as MessageEvent<string>).data) as Stats));
es.addEventListener("fault", (e) => {
  const f = JSON.parse((e as MessageEvent<string>).data) as { type: string; description: string };
  addEvent(`${f.type === "fault.inject" ? "FAULT" : "healed"} ${f.description}`, "fault");
});
es.addEventListener("event", (e) => {
  const ev = JSON.parse((e as MessageEvent<string>).data) as { cpu: string; name: string; detail: Record<string, unknown> };
  if (ev.name === "plane.up" || ev.name === "cpu.suspected") return; // too chatty for a projector
  const cls = ev.name === "pair.takeover" || ev.name === "pair.reprotected" ? "takeover" : /fenced|degraded|votedOut|down/.test(ev.name) ? "bad" : "";
  const detail = Object.entries(ev.detail)
    .filter(([k]) => k !== "type")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  addEvent(`${ev.cpu} ${ev.name} ${detail}`.slice(0, 160), cls);
});

$("wl-start").addEventListener("click", () => void post("/api/workload", { action: "start", rate: 200 }));
$("wl-stop").addEventListener("click", () => void post("/api/workload", { action: "stop" }));

// ── replay ──────────────────────────────────────────────────────────────────
let replayChart: uPlot | undefined;
$("replay-go").addEventListener("click", () => {
  const name = ($("replay-name") as HTMLInputElement).value.trim();
  void fetch(`/api/replay?scenario=${encodeURIComponent(name)}`)
    .then((r) => r.json())
    .then((j: { error?: string; timeline?: { t: number[]; opsPerSec: number[]; errorsPerSec: number[] }; events?: { t: number; type: string; name?: string; description?: string; cpu?: string }[] }) => {
      if (j.error || !j.timeline) return say(j.error ?? "no timeline");
      replayChart?.destroy();
      replayChart = new uPlot(
        { title: `replay: ${name}`, width: width(), height: 220, scales: { x: { time: false } }, series: [{ label: "s" }, { label: "ok/s", stroke: "#2fbf71", width: 2 }, { label: "errors/s", stroke: "#e5484d", width: 2 }] },
        [j.timeline.t, j.timeline.opsPerSec, j.timeline.errorsPerSec],
        $("chart-replay"),
      );
      for (const e of (j.events ?? []).filter((x) => x.type === "fault" || /takeover|reprotected|fenced|rebuilt|votedOut/.test(x.name ?? ""))) {
        addEvent(`[replay +${e.t.toFixed(2)}s] ${e.description ?? `${e.cpu ?? ""} ${e.name ?? ""}`}`, e.type === "fault" ? "fault" : "takeover");
      }
    });
});
