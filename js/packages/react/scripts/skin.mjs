// Builds dist/skin.css, the one static stylesheet of the default skin:
// the generated variables, base.css, then every component's file
// (src/skin/*.css, alphabetically). Each file is already wrapped in
// @layer latchkey; test/skin.test.ts checks the rules of each and of the result.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const skinDir = fileURLToPath(new URL("../src/skin/", import.meta.url));
const out = fileURLToPath(new URL("../dist/skin.css", import.meta.url));

export function skinFiles() {
  const first = ["variables.css", "base.css"];
  const rest = readdirSync(skinDir)
    .filter((f) => f.endsWith(".css") && !first.includes(f))
    .sort();
  return [...first, ...rest];
}

export function buildSkin() {
  const parts = skinFiles().map((file) => `/* ${file} */\n${readFileSync(skinDir + file, "utf8").trim()}\n`);
  return `/* @latchkey/react default skin. Every rule is in @layer latchkey, under :where(). */\n@layer latchkey;\n\n${parts.join("\n")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
  writeFileSync(out, buildSkin());
}
