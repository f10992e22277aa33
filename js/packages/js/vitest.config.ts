import { defineConfig } from "vitest/config";

// Two projects: unit tests against a fake fetch (fast, no network), and the
// integration test against the real latchkey binary, which a global setup
// builds and starts once and stops at the end.
export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration.test.ts"],
          environment: "node",
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration.test.ts"],
          environment: "node",
          globalSetup: ["test/server.setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
