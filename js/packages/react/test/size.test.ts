// @vitest-environment node
// The size budget of a sign-in page: everything it ships besides React (this
// package's provider and <SignIn />, and @latchkey/js) must stay within
// 45 KB minified and gzipped. Measured by bundling the page's imports the way
// an app's bundler would (tree-shaken, minified, React external).

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const budget = 45 * 1024;

async function gzipped(entry: string): Promise<number> {
  const result = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL("..", import.meta.url)), loader: "tsx" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    write: false,
    jsx: "automatic",
    external: ["react", "react-dom", "react/jsx-runtime"],
    alias: { "@latchkey/js": fileURLToPath(new URL("../../js/src/index.ts", import.meta.url)) },
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error("esbuild produced no output");
  return gzipSync(code, { level: 9 }).length;
}

describe("size budget", () => {
  it("a <SignIn /> page's own JS (React excluded) is at most 45 KB min+gzip", async () => {
    const size = await gzipped(`export { LatchkeyProvider, SignIn } from "./src/index";`);
    console.log(`sign-in page JS: ${(size / 1024).toFixed(1)} KB min+gzip (budget 45 KB)`);
    expect(size).toBeLessThanOrEqual(budget);
  });
});
