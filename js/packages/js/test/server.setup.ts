// Global setup of the integration project: builds the latchkey binary once
// (or takes LATCHKEY_BIN), runs `latchkey dev` on a free loopback port with a
// throwaway data directory, and stops it when the run ends.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server's base URL (the Frontend API is at <url>/v1). */
    latchkeyUrl: string;
    /** A Backend API secret key of the dev instance. */
    latchkeySecretKey: string;
  }
}

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-js-test-"));
  let bin = process.env.LATCHKEY_BIN;
  if (!bin) {
    bin = join(dir, "latchkey");
    try {
      execFileSync("go", ["build", "-o", bin, "./cmd/latchkey"], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`building the latchkey binary failed (set LATCHKEY_BIN to use a built one): ${String(e)}`);
    }
  }
  // --addr :0 lets the kernel pick a free port; the dev banner names it.
  const server = spawn(bin, ["dev", "--addr", "127.0.0.1:0", "--data-dir", join(dir, "data"), "--log-level", "warn"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  server.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const banner = await new Promise<{ url: string; secret: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`latchkey dev did not start in 30 s:\n${stderr}`)), 30_000);
      server.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`latchkey dev exited (${code}):\n${stderr}`));
      });
      server.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /Frontend API\s+(\S+)\/v1\s/.exec(stdout)?.[1];
        const secret = /Secret key\s+(\S+)\s/.exec(stdout)?.[1];
        if (url && secret) {
          clearTimeout(timer);
          resolve({ url, secret });
        }
      });
    });
    project.provide("latchkeyUrl", banner.url);
    project.provide("latchkeySecretKey", banner.secret);
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}
