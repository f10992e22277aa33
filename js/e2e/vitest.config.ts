import { defineConfig } from "vitest/config";

// The browser tests share one latchkey server and one built app (started by
// src/global-setup.ts) and drive one Chromium at a time: files run one after
// another in a single worker, each test in its own fresh browser context.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./src/global-setup.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    // Real servers and a real browser: generous, but bounded.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
