// Two projects: `unit` runs pure logic with no Docker; `integration` runs against the
// real engine, with images built once in globalSetup and every labelled resource reaped
// in its teardown.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: process.env.CI ? ["default", ["json", { outputFile: "reports/vitest.json" }]] : ["default"],
    // One file at a time across all projects: labs of 4 CPUs at half a core each already
    // fill this 2-core machine, and a starved CPU misses heartbeats.
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "lab/**/*.test.ts", "runtime/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Two cores: integration files share one engine, run them one at a time.
          fileParallelism: false,
          env: { TESTCONTAINERS_RYUK_DISABLED: "true" },
        },
      },
      {
        test: {
          name: "scenarios",
          include: ["test/scenarios/**/*.test.ts"],
          // Two Swarm nodes need a second engine (scripts/second-node.sh up) and say where it is.
          exclude: process.env.NONSTOP_SECOND_NODE ? [] : ["test/scenarios/swarm-nodes.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
