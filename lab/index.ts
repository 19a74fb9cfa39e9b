// nonstop-lab's public API: what `import ... from "nonstop-lab"` gives. Bring a lab up
// (or attach to one), or your own Compose project (upApp / attachApp), inject faults
// through its handle, run scenarios, write reports.
// Everything else in the package is internal and may move.
//
//   import { up, resolveTopology } from "nonstop-lab";
//   await using lab = await up({ topology: resolveTopology({ cpus: 4 }, "mine") });
//   await using faults = lab.faults();
//   await faults.inject({ kind: "cpu.kill", cpu: "cpu-0" });
//
// See docs/api.md for a worked example.
export { up, type UpOptions } from "./machine/up.js";
export type { SwarmOptions } from "./swarm/options.js";
export type { Parts, Located, EngineKind } from "./machine/parts.js";
export { attach, type AttachOptions, type StartedLab } from "./machine/started.js";
export type { MachineStatus, CpuStatus, RouterStatus, ServiceStatus } from "./machine/status.js";
export { upApp, attachApp, type StartedApp } from "./app/started.js";
export type { AppStatus } from "./app/lifecycle.js";
export type { AppContainer } from "./app/system.js";
export { defineClient, type ClientModule, type ClientContext, type UserClient, type UserOp, type AppWorkloadSpec } from "./app/workload.js";
export type { AppScenarioSpec } from "./app/scenario.js";
export { APP_FAULT_KINDS, type AppFault, type AppFaultKind } from "./app/faults/index.js";
export type { FaultTarget, AnyFault } from "./faults/target.js";
export { resolveTopology } from "./topology/resolve.js";
export type { Topology, Cpu, Plane, Disk, Service, ServiceKind, PlaneName, Heartbeat } from "./topology/types.js";
export type { TopologyInput } from "./topology/schema.js";

export { defineScenario } from "./scenario/define.js";
export type { ScenarioSpec, WorkloadSpec, ScheduleSpec, TimelineSpec, RandomSpec, SteadyState } from "./scenario/define.js";
export { runScenario, type RunOptions, type Progress } from "./scenario/run.js";
export type { ScenarioResult, CheckOutcome } from "./scenario/result.js";
export { loadScenarios } from "./scenario/load.js";
export { SCENARIOS } from "../scenarios/index.js";
export { writeReports } from "./report/write.js";

export { FaultSession, type FaultHandle, type FaultEvent } from "./faults/inject.js";
export { FAULT_KINDS, describeFault, type Fault, type FaultKind } from "./faults/kinds/index.js";
export { CHECKS, type Check, type Verdict, type Anomaly } from "./checks/index.js";
export type { HistoryEntry, OpEntry, FaultEntry, Phase } from "./history/types.js";

export { connectEngine } from "./docker/engine.js";
export { Plumbing } from "./docker/plumbing.js";
export { reap, type ReapResult } from "./docker/reap.js";
export { LabError, UsageError, EngineUnavailable } from "./errors.js";
