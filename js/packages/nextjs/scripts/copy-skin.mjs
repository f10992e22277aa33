// Copies @latchkey/react's built skin to dist/skin.css, so that
// `import "@latchkey/nextjs/skin.css"` works without a CSS @import that
// each bundler resolves differently. @latchkey/react must be built first
// (the workspace build script builds it before this package).
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let source;
try {
  source = require.resolve("@latchkey/react/skin.css");
} catch {
  console.error("copy-skin: @latchkey/react/skin.css not found: build @latchkey/react first (npm run build -w @latchkey/react)");
  process.exit(1);
}
copyFileSync(source, new URL("../dist/skin.css", import.meta.url));
