import { defineConfig } from "tsup";

// Two builds: the package index is a client module (hooks, context), so it
// starts with the "use client" directive that esbuild would otherwise drop;
// the French locale is plain data, importable from a server component and
// passed to <LatchkeyProvider localization={fr}>.
export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    dts: true,
    sourcemap: true,
    target: "es2022",
    external: ["react", "react-dom", "@latchkey/js"],
    banner: { js: '"use client";' },
  },
  {
    entry: { "locales/fr": "src/locales/fr.ts" },
    format: ["esm"],
    dts: true,
    sourcemap: true,
    target: "es2022",
  },
]);
