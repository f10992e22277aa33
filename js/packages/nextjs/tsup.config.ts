import { defineConfig } from "tsup";

const external = ["next", "react", "@latchkey/react", "@latchkey/js", "jose"];

// The ESM build has four entries. "index.server" is what a server component
// gets for "@latchkey/nextjs" (the "react-server" export condition): the
// async provider that reads the request. "index" is what client components
// get: the same re-exports with @latchkey/react's own provider, so importing
// a hook from a client component never pulls next/headers into the browser.
// No "use client" banner: the client components live in @latchkey/react,
// whose bundle carries the directive.
//
// "config" is also built as CommonJS: Next.js compiles next.config.ts to
// CommonJS and require()s what it imports.
export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      "index.server": "src/index.server.ts",
      server: "src/server.ts",
      config: "src/config.ts",
    },
    format: ["esm"],
    // Declarations are built against the sibling packages' built
    // declarations (the workspace build runs them first), not their sources.
    dts: { compilerOptions: { paths: {} } },
    sourcemap: true,
    target: "es2022",
    external,
  },
  {
    entry: { config: "src/config.ts" },
    format: ["cjs"],
    sourcemap: true,
    target: "es2022",
    external,
  },
]);
