import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run against the sources of @latchkey/js (same workspace), so the
// two packages can change together without a build in between.
export default defineConfig({
  resolve: {
    alias: {
      "@latchkey/js": fileURLToPath(new URL("../js/src/index.ts", import.meta.url)),
    },
  },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["test/setup.ts"],
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
