import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root (js/e2e/src -> ../../..). */
export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The example app the tests build and run. */
export const exampleDir = path.join(repositoryRoot, "examples", "nextjs");

/** The npm workspace (js/), whose node_modules the example uses. */
export const workspaceDir = path.join(repositoryRoot, "js");
