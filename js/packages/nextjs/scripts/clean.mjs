// Removes dist/ before a build, so no stale entry or chunk is published.
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
