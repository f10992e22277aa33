// The real latchkey binary, run as `latchkey dev` on loopback with a
// throwaway SQLite database. LATCHKEY_BIN names a binary already built (the
// test script builds one for every suite); otherwise it is built here.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));

export interface LatchkeyServer {
  /** http://127.0.0.1:PORT, where this process reaches it. */
  apiUrl: string;
  /** The public URL it was started with (the tokens' issuer). */
  publicUrl: string;
  /** The app origin of that public URL. */
  appOrigin: string;
  secretKey: string;
  stop(): Promise<void>;
}

/** freePort asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function binary(dir: string): Promise<string> {
  const given = process.env.LATCHKEY_BIN;
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) throw new Error(`LATCHKEY_BIN=${given} does not exist`);
    return given;
  }
  const bin = join(dir, "latchkey");
  await run("go", ["build", "-o", bin, "./cmd/latchkey"], { cwd: repoRoot, timeout: 240_000 });
  return bin;
}

export async function startLatchkey(): Promise<LatchkeyServer> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-nextjs-"));
  const bin = await binary(dir);
  const [port, appPort] = [await freePort(), await freePort()];
  const appOrigin = `http://localhost:${appPort}`;
  const publicUrl = `${appOrigin}/__latchkey`;
  const dataDir = join(dir, "data");
  const env: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_DATABASE_URL: "", LATCHKEY_MASTER_KEY: "", LATCHKEY_SMTP_URL: "", LATCHKEY_CONFIG: "" };
  const child: ChildProcess = spawn(bin, ["dev", "--addr", `127.0.0.1:${port}`, "--data-dir", dataDir, "--public-url", publicUrl], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const apiUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const keysFile = join(dataDir, "dev-keys.json");
    if (existsSync(keysFile)) {
      try {
        const keys = JSON.parse(readFileSync(keysFile, "utf8")) as { secret_key?: string };
        const ready = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
        if (ready && keys.secret_key) return { apiUrl, publicUrl, appOrigin, secretKey: keys.secret_key, stop };
      } catch {
        // dev-keys.json is being written; try again
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`latchkey dev did not become ready:\n${output}`);
}
