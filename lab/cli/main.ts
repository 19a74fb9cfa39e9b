// The `nonstop` command: a thin commander layer over the lab's programmatic API. Errors a
// user can act on print as one line with their exit code; nothing here calls process.exit.
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { configFromEnv } from "../config.js";
import { isLabId } from "../docker/labels.js";
import { LabError, UsageError } from "../errors.js";
import type { FaultFlags } from "../faults/kinds/index.js";
import { SCENARIOS } from "../../scenarios/index.js";
import type { UpFlags } from "./machine.js";
import type { SweepFlags } from "./sweep.js";

const config = configFromEnv();
// `nonstop fault --help` lists every kind with its summary, from the kinds' own
// definitions; they load (about 60 ms) only when that help is asked for.
const argv = process.argv.slice(2);
const faultHelp =
  argv[0] === "fault" && (argv.includes("--help") || argv.includes("-h"))
    ? `${(await import("../faults/kinds/index.js")).kindsHelp()}\n\n${(await import("../app/faults/index.js")).appKindsHelp()}`
    : "Kinds: nonstop fault --help";

// Each command's module loads only when that command runs (`import("./machine.js")` below):
// the Docker client and testcontainers alone take ~200 ms to load, which `--help` and
// `faults --help` should not pay (bench/cli.ts).

function labId(value: string): string {
  if (!isLabId(value)) throw new InvalidArgumentError("lab id: lowercase letters, digits and '-', at most 31, starting with a letter or digit");
  return value;
}

const program = new Command()
  .name("nonstop")
  .description("A containerized chaos-testing lab: Tandem's fault-tolerant server, rebuilt from Docker containers and broken on purpose.")
  // One line, in the same form as the lab's own errors: "nonstop: <what is wrong>".
  .configureOutput({ outputError: (str, write) => write(`nonstop: ${str.replace(/^error: /, "").trimEnd()} (see 'nonstop --help')\n`) })
  .exitOverride();

function count(field: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${field}: a whole number from ${min} to ${max}`);
    return n;
  };
}

/** The machine's shape, as `up` and `sweep` both take it (lab/cli/machine.ts's topologyFlags reads them). */
function machineShape(cmd: Command): Command {
  return cmd
    .option("--cpus <n>", "number of CPUs (default 4)", (v: string) => {
      // 0 and negatives reach the topology check, which names the field and the range.
      const n = Number(v);
      if (!Number.isInteger(n)) throw new InvalidArgumentError("cpus: a whole number from 1 to 16");
      return n;
    })
    .option("--topology <file>", "a topology file (YAML or JSON)")
    .option("--services <list>", "the paper's services to run: all, or a list such as web,mail,session (default web)");
}

machineShape(
  program
    .command("up")
    .description("build images when needed, bring the machine (or your Compose project, --compose) up, wait until every part answers, and print it")
    .option("--lab <id>", "lab id, so several labs run side by side (default: default; with --compose, the project's name)", labId)
    .option("--compose <file>", "bring up your own Compose project instead of the Tandem machine, under the lab's labels, to break it")
    .option("--project-name <name>", "with --compose: the project's name (Compose's -p; default: the file's name: or its folder)"),
)
  .option("--json", "print the status as JSON")
  .option("--keep", "if up fails, leave what it made for a look (by default a failed up removes it)")
  .option("--swarm", "deploy the machine as a stack to the swarm this engine manages (docs/scale.md)")
  .option("--node <name=url>", "--swarm: the engine of another node, tcp://HOST:2375 or ssh://USER@HOST (repeat for each)", (v: string, all: string[] = []) => [...all, v])
  .option("--mirror-dir <dir>", "--swarm: a directory every node mounts at the same path, for the mirrors when the CPUs spread over nodes")
  .action((opts: Omit<UpFlags, "lab"> & { lab?: string; compose?: string; projectName?: string }) => {
    if (opts.compose !== undefined) {
      const clash = (["cpus", "topology", "services", "swarm"] as const).find((k) => opts[k] !== undefined);
      if (clash) throw new UsageError(`--${clash}: shapes the Tandem machine; with --compose the project's own file says what runs`);
      const { compose, lab, projectName, json, keep } = opts;
      return import("./app.js").then((m) => m.upComposeCommand(config, { compose, ...(lab ? { lab } : {}), ...(projectName ? { projectName } : {}), ...(json ? { json } : {}), ...(keep ? { keep } : {}) }));
    }
    return import("./machine.js").then((m) => m.upCommand(config, { ...opts, lab: opts.lab ?? "default" }));
  });

program
  .command("attach")
  .description("adopt a Compose project that is already running, to break and judge it; down heals its faults and leaves it running")
  .requiredOption("--compose-project <name>", "the project's name, as 'docker compose ls' shows it")
  .option("--lab <id>", "lab id (default: the project's name)", labId)
  .option("--json", "print the status as JSON")
  .action((opts: { composeProject: string; lab?: string; json?: boolean }) => import("./app.js").then((m) => m.attachCommand(config, opts)));

program
  .command("status")
  .description("show the machine: CPUs with their plane addresses and roles, routers, services")
  .option("--lab <id>", "lab id", labId, "default")
  .option("--json", "print as JSON")
  .action((opts: { lab: string; json?: boolean }) => import("./machine.js").then((m) => m.statusCommand(config, opts)));

program
  .command("console")
  .description("serve the live console on 127.0.0.1: the machine drawn, live charts, events, and faults on a click")
  .option("--lab <id>", "lab id", labId, "default")
  .option("--port <n>", "port on 127.0.0.1 (default: any free one)", count("port", 0, 65535), 0)
  .action((opts: { lab: string; port: number }) => import("./console.js").then((m) => m.consoleCommand(config, opts)));

program
  .command("down")
  .description("remove the lab: containers, networks and disks")
  .option("--lab <id>", "lab id", labId, "default")
  .action((opts: { lab: string }) => import("./machine.js").then((m) => m.downCommand(config, opts)));

program
  .command("logs")
  .description("print the logs of a CPU or router (e.g. cpu-0, router-x)")
  .argument("<part>", "cpu-N, router-x, router-y or router-edge")
  .option("--lab <id>", "lab id", labId, "default")
  .option("-f, --follow", "keep printing")
  .option("--tail <n>", "only the last n lines", count("tail", 0, 1_000_000))
  .action((part: string, opts: { lab: string; follow?: boolean; tail?: number }) => import("./machine.js").then((m) => m.logsCommand(config, part, opts)));

program
  .command("fault")
  .description("inject a fault; it stays until healed (or --for a while). Kinds: see below, and docs/faults.md")
  .addHelpText("after", `\n${faultHelp}`)
  .argument("<kind>", "e.g. cpu.kill, cpu.pause, link.latency, plane.fail, node.isolate, partition, disk.corrupt, edge.down")
  .argument("[target]", "a CPU (cpu-1), plane (x), mirror (mirror-a) or service (web); in a Compose project, a service (api), replica (api.2) or all of them (api.*)")
  .option("--lab <id>", "lab id", labId, "default")
  .option("--plane <x|y>", "the plane of a link fault; for node.isolate x, y or both (default)")
  .option("--from <cpu>", "a link's sending CPU")
  .option("--to <cpu>", "a link's receiving CPU")
  .option("--ms <n>", "latency / timeout / reset_peer / slow_close time, ms")
  .option("--jitter <n>", "latency jitter, ms")
  .option("--rate <n>", "bandwidth, KB/s")
  .option("--bytes <n>", "limit_data bytes; disk.corrupt byte count (default 16)")
  .option("--size <n>", "slicer average size, bytes")
  .option("--variation <n>", "slicer size variation, bytes")
  .option("--delay-us <n>", "slicer delay between slices, µs")
  .option("--stream <dir>", "toxic direction: downstream (default) or upstream")
  .option("--cores <n>", "cpu.throttle: the new quota in cores")
  .option("--mb <n>", "cpu.memory: megabytes to hold")
  .option("--seed <n>", "disk.corrupt: which bytes (default 1)")
  .option("--step <step>", "pair.crash: before-journal, after-journal, after-commit, before-ack, or mid-data (mail)")
  .option("--sides <a,b|c,d>", "partition: the sides, CPUs separated by ',' and sides by '|'")
  .option("--split-one <cpu>", "partition: cut one CPU off from the rest")
  .option("--halves", "partition: two halves")
  .option("--ring", "partition: Jepsen's majorities ring")
  .option("--percent <n>", "net.loss, net.corrupt, net.duplicate: the share of packets, 0-100")
  .option("--kbit <n>", "net.rate: the rate, kbit/s")
  .option("--name <process>", "process.kill: the process, as ps shows it")
  .option("--signal <sig>", "process.kill: KILL (default), TERM, INT, HUP, QUIT, USR1, USR2 or STOP")
  .option("--path <path>", "disk.fill: a folder, disk.corrupt: a file, on the container's volume")
  .option("--groups <a,b/c,d>", "net.partition: the groups, targets separated by ',' and groups by '/'")
  .option("--for <duration>", "hold the fault this long (500ms, 10s, 2m), then heal it; Ctrl-C heals it early")
  .option("--json", "print events as JSON")
  .action((kind: string, target: string | undefined, opts: FaultFlags & { lab: string; for?: string; json?: boolean }) => import("./faults.js").then((m) => m.faultCommand(config, kind, target, opts)));

program
  .command("faults")
  .description("list the active faults of a lab, whichever process injected them")
  .option("--lab <id>", "lab id", labId, "default")
  .option("--json", "print as JSON")
  .action((opts: { lab: string; json?: boolean }) => import("./faults.js").then((m) => m.faultsCommand(config, opts)));

program
  .command("heal")
  .description("heal one fault by id, or every fault and put the machine back to its plan")
  .argument("[id]", "a fault id from 'nonstop faults'")
  .option("--lab <id>", "lab id", labId, "default")
  .option("--json", "print events as JSON")
  .action((id: string | undefined, opts: { lab: string; json?: boolean }) => import("./faults.js").then((m) => m.healCommand(config, id, opts)));

program
  .command("run")
  .description("run scenarios (built-in, or your own files): workload + faults + checks against a fresh lab each, with reports")
  .argument("<names...>", `scenario names, or all (${SCENARIOS.map((s) => s.name).join(", ")}); or your own: ./file.scenario.ts, ./folder/`)
  .option("--seed <n>", "seed for random schedules", count("seed", 0, 2 ** 31 - 1))
  .option("--report <dir>", "where reports go (one folder per scenario)", "reports/scenarios")
  .option("--keep", "keep the lab up afterwards")
  .option("--swarm", "bring each scenario's machine up as a Swarm stack (the engine must be a swarm manager)")
  .action((names: string[], opts: { seed?: number; report: string; keep?: boolean; swarm?: boolean }) => import("./run.js").then((m) => m.runCommand(config, SCENARIOS, names, opts)));

machineShape(
  program
    .command("sweep")
    .description("every single fault of the machine, derived from its topology, each run under load on one shared lab, and a verdict for each: where is the single point of failure?"),
)
  .option("--kinds <list>", "only faults of these kinds, e.g. cpu.kill,plane.fail (default: every kind the machine has)")
  .option("--hold <duration>", "how long each fault is held before its heal", "2s")
  .option("--allow <parts>", "known single points of failure (e.g. router-edge): their findings do not fail the sweep")
  .option("--report <dir>", "where reports go: sweep.json, junit.xml, one folder per fault", "reports/sweep")
  .option("--write <dir>", "write each finding (a fault not masked) as a scenario file there, to keep as a regression test")
  .option("--json", "print the result as JSON")
  .action((opts: SweepFlags) => import("./sweep.js").then((m) => m.sweepCommand(config, opts)));

program
  .command("soak")
  .description("the seeded chaos soak: a random mix of every fault kind against every service, judged round by round")
  .option("--for <duration>", "how long, e.g. 10m or 1h", "10m")
  .option("--round <duration>", "the length of one round (a fresh lab each)", "2m")
  .option("--seed <n>", "the soak's seed: the same seed replays the same faults", count("seed", 0, 2 ** 31 - 1), 1)
  .option("--report <dir>", "where each round's reports go", "reports/soak")
  .action((opts: { for: string; round: string; seed: number; report: string }) => import("./soak.js").then((m) => m.soakCommand(config, opts)));

program
  .command("check")
  .description("re-run checks on a saved history (history.jsonl), offline")
  .argument("<history>", "a history.jsonl written by a run")
  .option("--checks <names>", "comma-separated checks", "availability,failoverGap,latency")
  .option("--threshold <expr...>", 'thresholds such as "failoverGap.p99 <= 500ms"')
  .option("--json", "print as JSON")
  .action((file: string, opts: { checks: string; threshold?: string[]; json?: boolean }) => import("./check.js").then((m) => m.checkCommand(file, opts)));

program
  .command("raid")
  .description("the RAID-1 mirrors: status as each CPU sees them, or scrub (verify, repair, rebuild)")
  .argument("<action>", "status or scrub", (v: string) => {
    if (v !== "status" && v !== "scrub") throw new InvalidArgumentError("action: allowed: status, scrub");
    return v;
  })
  .option("--lab <id>", "lab id", labId, "default")
  .option("--json", "print as JSON")
  .action((action: "status" | "scrub", opts: { lab: string; json?: boolean }) => import("./raid.js").then((m) => m.raidCommand(config, action, opts)));

program
  .command("compose")
  .description("print docker-compose.yml as generated from the default topology (--write to update the files)")
  .option("--write", "write docker-compose.yml and compose/*.toxiproxy.json")
  .option("--edge-subnet <cidr>", "the edge network's subnet, which fixes the service addresses (default 10.213.77.0/24)")
  .action((opts: { write?: boolean; edgeSubnet?: string }) => import("./compose.js").then((m) => m.composeCommand(config, opts)));

program
  .command("schema")
  .description("print the JSON Schema of a scenario file for a Compose project (docs/scenario.schema.json), for an editor to check YAML scenarios with")
  .action(() => import("../app/schema.js").then((m) => console.log(JSON.stringify(m.scenarioJsonSchema(), null, 2))));

program
  .command("images")
  .description("build the lab's images (base, cpu, router); a warm build is a no-op")
  .option("--force", "rebuild even when up to date")
  .option("--json", "print the result as JSON")
  .action((opts: { force?: boolean; json?: boolean }) => import("./images.js").then((m) => m.imagesCommand(config, opts)));

program
  .command("reap")
  .description("remove every labelled Docker resource of a lab (or of all labs with --all)")
  .option("--lab <id>", "lab id", labId)
  .option("--all", "every lab")
  .action((opts: { lab?: string; all?: boolean }) => import("./reap.js").then((m) => m.reapCommand(config, opts)));

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message; help and --version exit 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof LabError) {
      process.stderr.write(`nonstop: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

await main(process.argv);
