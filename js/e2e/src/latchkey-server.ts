// The real latchkey binary in dev mode on a temporary SQLite database, with
// the example's settings and tokens shortened to 30 s.

import { access, constants, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { cleanEnv } from "./env";
import { runToCompletion, startService, type Service } from "./processes";
import { exampleDir, repositoryRoot } from "./paths";
import { waitForHttp } from "./wait";

/**
 * e2eSettings is the example's own settings file (examples/nextjs/latchkey.json,
 * the format of instance/file.go) with tokens shortened to 30 s, the least
 * allowed, so a background refresh happens within a test.
 */
async function e2eSettings(): Promise<Record<string, unknown>> {
  const example = JSON.parse(await readFile(path.join(exampleDir, "latchkey.json"), "utf8")) as Record<string, unknown>;
  const session = (example.session ?? {}) as Record<string, unknown>;
  return { ...example, session: { ...session, token_lifetime_seconds: 30 } };
}

/**
 * latchkeyBinary returns $LATCHKEY_BIN when set, else builds the binary into
 * workDir once.
 */
export async function latchkeyBinary(workDir: string): Promise<string> {
  const given = process.env.LATCHKEY_BIN;
  if (given) {
    try {
      await access(given, constants.X_OK);
    } catch {
      throw new Error(`LATCHKEY_BIN=${given} is not an executable file: build it with go build -o <path> ./cmd/latchkey, or unset LATCHKEY_BIN`);
    }
    return given;
  }
  const bin = path.join(workDir, "latchkey");
  await runToCompletion("go build", "go", ["build", "-o", bin, "./cmd/latchkey"], {
    cwd: repositoryRoot,
    env: process.env,
    logPath: path.join(workDir, "go-build.log"),
    timeoutMs: 5 * 60_000,
  });
  return bin;
}

export interface LatchkeyServer {
  service: Service;
  /** Where tests reach Latchkey directly: http://127.0.0.1:<port>. */
  url: string;
  secretKey: string;
}

/**
 * startLatchkey runs `latchkey dev` on 127.0.0.1:port with publicUrl (the
 * app's /__latchkey) and waits until it is ready.
 */
export async function startLatchkey(bin: string, workDir: string, port: number, publicUrl: string): Promise<LatchkeyServer> {
  const dataDir = path.join(workDir, "latchkey-data");
  const configPath = path.join(workDir, "latchkey.json");
  await writeFile(configPath, JSON.stringify(await e2eSettings(), null, 2) + "\n");
  const service = startService(
    "latchkey dev",
    bin,
    ["dev", "--addr", `127.0.0.1:${port}`, "--data-dir", dataDir, "--public-url", publicUrl, "--config", configPath],
    // Only the flags configure it, never the developer's own LATCHKEY_* settings.
    { cwd: workDir, env: cleanEnv(), logPath: path.join(workDir, "latchkey.log") },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/readyz`, service, 30_000);
    const keys = JSON.parse(await readFile(path.join(dataDir, "dev-keys.json"), "utf8")) as { secret_key?: unknown };
    if (typeof keys.secret_key !== "string" || !keys.secret_key.startsWith("sk_")) {
      throw new Error(`${dataDir}/dev-keys.json has no secret_key`);
    }
    return { service, url, secretKey: keys.secret_key };
  } catch (err) {
    await service.stop();
    throw err;
  }
}
