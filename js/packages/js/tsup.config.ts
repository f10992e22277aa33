import { defineConfig } from "tsup";

// One ESM entry with its declarations. Not minified: the app's bundler
// minifies, and readable output makes stack traces and audits easier.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: true,
  minify: false,
  clean: true,
  target: "es2022",
  platform: "browser",
});
