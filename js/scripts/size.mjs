// Size budgets of the front end, measured the way an app ships them:
// bundled, minified and gzipped (level 9) by esbuild, from the sources.
// Both figures are min+gzip.
//
//   @latchkey/js      everything the package exports         <= 15 KB
//   <SignIn /> page   import { LatchkeyProvider, SignIn } from "@latchkey/react" <= 45 KB
//                     (react, react-dom and the JSX runtime excluded)
//
// Usage: node scripts/size.mjs [--strict]
// Prints one line per budget and writes nothing. Exits 1 when a budget is
// exceeded; a missing @latchkey/react source is reported, and fails the run
// only with --strict.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const jsEntry = `${root}packages/js/src/index.ts`;
const reactEntry = `${root}packages/react/src/index.ts`;
const strict = process.argv.includes("--strict");

const budgets = [
  { label: "@latchkey/js", budget: 15 * 1024, entry: jsEntry, contents: null },
  {
    label: "<SignIn /> page",
    budget: 45 * 1024,
    entry: reactEntry,
    contents: 'import { LatchkeyProvider, SignIn } from "@latchkey/react";\nexport { LatchkeyProvider, SignIn };\n',
  },
];

/** minGzip bundles one entry and returns its JavaScript's min+gzip size. */
async function minGzip({ entry, contents }) {
  const result = await build({
    ...(contents ? { stdin: { contents, resolveDir: root, loader: "js", sourcefile: "page.js" } } : { entryPoints: [entry] }),
    bundle: true,
    minify: true,
    write: false,
    outdir: "out", // in memory only (write: false); CSS imports land beside the JS and are not counted
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    alias: { "@latchkey/js": jsEntry, "@latchkey/react": reactEntry },
    external: ["react", "react/*", "react-dom", "react-dom/*"],
  });
  const js = result.outputFiles.filter((f) => f.path.endsWith(".js"));
  return js.reduce((sum, f) => sum + gzipSync(f.contents, { level: 9 }).length, 0);
}

let failed = false;
for (const b of budgets) {
  if (!existsSync(b.entry)) {
    console.log(`${b.label}: missing (${b.entry.slice(root.length)} does not exist) (budget ${b.budget})`);
    if (strict) failed = true;
    continue;
  }
  let size;
  try {
    size = await minGzip(b);
  } catch (e) {
    console.log(`${b.label}: build failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)} (budget ${b.budget})`);
    failed = true;
    continue;
  }
  const over = size > b.budget;
  const unit = b.contents ? "bytes" : "bytes min+gzip";
  console.log(`${b.label}: ${size} ${unit} (budget ${b.budget})${over ? " OVER BUDGET" : ""}`);
  if (over) failed = true;
}
process.exit(failed ? 1 : 0);
