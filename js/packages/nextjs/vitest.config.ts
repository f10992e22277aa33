import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests run in Node against the sources of the sibling packages, so
// the three packages can change together without a build in between.
export default defineConfig({
  resolve: {
    alias: {
      "@latchkey/js": fileURLToPath(new URL("../js/src/index.ts", import.meta.url)),
      "@latchkey/react": fileURLToPath(new URL("../react/src/index.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.{ts,tsx}"],
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
