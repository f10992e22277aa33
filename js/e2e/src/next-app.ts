// The example app (examples/nextjs), built once with next build and served
// with next start, exactly as it would run in production.

import { access, lstat, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { cleanEnv } from "./env";
import { runToCompletion, startService, type Service } from "./processes";
import { exampleDir, workspaceDir } from "./paths";
import { waitForHttp } from "./wait";

const nextBin = path.join(workspaceDir, "node_modules", "next", "dist", "bin", "next");
const buildInfoPath = path.join(exampleDir, ".next", "latchkey-e2e.json");

/**
 * linkExampleDependencies makes examples/nextjs/node_modules point at the
 * workspace's node_modules: npm installs nothing for a workspace outside
 * js/, and one copy of react and next must serve both the app and the
 * packages.
 */
export async function linkExampleDependencies(): Promise<void> {
  const link = path.join(exampleDir, "node_modules");
  try {
    await lstat(link);
  } catch {
    await symlink(path.join("..", "..", "js", "node_modules"), link, "dir");
  }
  try {
    await access(path.join(link, "next", "package.json"));
  } catch {
    throw new Error(`${link} does not lead to an installed next: run npm ci in js/ (examples/nextjs/node_modules should be a link to ../../js/node_modules)`);
  }
}

/** The Latchkey port a previous build baked into its rewrite, when E2E_SKIP_BUILD=1 may reuse it. */
export async function reusableBuild(): Promise<{ latchkeyPort: number } | null> {
  if (process.env.E2E_SKIP_BUILD !== "1") return null;
  try {
    const info = JSON.parse(await readFile(buildInfoPath, "utf8")) as { latchkeyPort?: unknown };
    await access(path.join(exampleDir, ".next", "BUILD_ID"));
    return typeof info.latchkeyPort === "number" ? { latchkeyPort: info.latchkeyPort } : null;
  } catch {
    return null;
  }
}

/**
 * buildExample runs next build with the rewrite pointing at Latchkey on
 * latchkeyPort (next build bakes it in) and returns how long it took.
 */
export async function buildExample(workDir: string, latchkeyPort: number): Promise<number> {
  const started = Date.now();
  await runToCompletion("next build", process.execPath, [nextBin, "build"], {
    cwd: exampleDir,
    env: cleanEnv({ LATCHKEY_API_URL: `http://127.0.0.1:${latchkeyPort}`, NEXT_TELEMETRY_DISABLED: "1" }),
    logPath: path.join(workDir, "next-build.log"),
    timeoutMs: 10 * 60_000,
  });
  await writeFile(buildInfoPath, JSON.stringify({ latchkeyPort }) + "\n");
  return Date.now() - started;
}

export interface ExampleApp {
  service: Service;
  /** http://localhost:<port>: the origin of the app and of Latchkey's public URL. */
  url: string;
}

/** What the app's webhook route needs: LATCHKEY_WEBHOOK_SECRET and EXAMPLE_DB_PATH. */
export interface ExampleWebhooks {
  secret: string;
  dbPath: string;
}

/** startExample runs next start on localhost:port and waits for the first page. */
export async function startExample(
  workDir: string,
  port: number,
  latchkeyPort: number,
  secretKey: string,
  webhooks: ExampleWebhooks,
): Promise<ExampleApp> {
  const url = `http://localhost:${port}`;
  const service = startService("next start", process.execPath, [nextBin, "start", "-p", String(port), "-H", "localhost"], {
    cwd: exampleDir,
    env: cleanEnv({
      LATCHKEY_API_URL: `http://127.0.0.1:${latchkeyPort}`,
      LATCHKEY_SECRET_KEY: secretKey,
      LATCHKEY_ISSUER: `${url}/__latchkey`,
      LATCHKEY_DEBUG: "1",
      LATCHKEY_WEBHOOK_SECRET: webhooks.secret,
      EXAMPLE_DB_PATH: webhooks.dbPath,
      NEXT_TELEMETRY_DISABLED: "1",
    }),
    logPath: path.join(workDir, "next-start.log"),
  });
  try {
    await waitForHttp(`${url}/`, service, 60_000);
    return { service, url };
  } catch (err) {
    await service.stop();
    throw err;
  }
}
