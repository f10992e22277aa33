// Removes dist/ before a build (tsup runs two builds that must not clean each other).
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
