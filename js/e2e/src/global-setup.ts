// Global setup of the browser tests: build the latchkey binary, start it on
// a temporary SQLite database, build the example app once with next build,
// start it with next start, and stop everything afterwards, also when a step
// or a test fails. Everything listens on loopback only.

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { chromiumPath } from "./chromium-path";
import type { E2EContext } from "./context";
import { latchkeyBinary, startLatchkey } from "./latchkey-server";
import { buildExample, linkExampleDependencies, reusableBuild, startExample } from "./next-app";
import { freePort } from "./ports";

function say(message: string): void {
  process.stdout.write(`[e2e] ${message}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const workDir = await mkdtemp(path.join(tmpdir(), "latchkey-e2e-"));
  const artifactsDir = path.join(workDir, "artifacts");
  await mkdir(artifactsDir);
  const stops: Array<() => Promise<void>> = [];
  let failed = false;

  const teardown = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => say(`stopping: ${String(err)}`));
    }
    // Logs and screenshots stay when something failed, or when asked to.
    if (failed || process.env.E2E_KEEP_TMP === "1") {
      say(`logs and artifacts kept in ${workDir}`);
    } else {
      await rm(workDir, { recursive: true, force: true });
    }
  };

  try {
    const chromium = await chromiumPath();
    await linkExampleDependencies();

    let t = Date.now();
    const bin = await latchkeyBinary(workDir);
    say(`latchkey binary ready in ${seconds(Date.now() - t)} (${bin})`);

    const reuse = await reusableBuild();
    const latchkeyPort = reuse?.latchkeyPort ?? (await freePort());
    let appPort = await freePort();
    while (appPort === latchkeyPort) appPort = await freePort();

    if (reuse) {
      say(`E2E_SKIP_BUILD=1: reusing the last next build (Latchkey on port ${latchkeyPort})`);
    } else {
      const ms = await buildExample(workDir, latchkeyPort);
      say(`next build of examples/nextjs took ${seconds(ms)}`);
    }

    t = Date.now();
    const latchkey = await startLatchkey(bin, workDir, latchkeyPort, `http://localhost:${appPort}/__latchkey`);
    stops.push(() => latchkey.service.stop());
    // The app reads its webhook secret at start, before any endpoint exists,
    // so the secret is chosen here and given to the endpoint when a test
    // creates it (POST /api/v1/webhooks/endpoints accepts one).
    const webhooks = { secret: `whsec_${randomBytes(32).toString("base64")}`, dbPath: path.join(workDir, "example-users.json") };
    const app = await startExample(workDir, appPort, latchkeyPort, latchkey.secretKey, webhooks);
    stops.push(() => app.service.stop());
    say(`latchkey on ${latchkey.url} and the app on ${app.url}, started in ${seconds(Date.now() - t)}; setup took ${seconds(Date.now() - started)}`);

    const context: E2EContext = {
      appUrl: app.url,
      latchkeyUrl: latchkey.url,
      secretKey: latchkey.secretKey,
      webhookSecret: webhooks.secret,
      exampleDbPath: webhooks.dbPath,
      chromiumPath: chromium,
      artifactsDir,
    };
    project.provide("e2e", context);
  } catch (err) {
    failed = true;
    await teardown();
    throw err;
  }
  return async () => {
    // A failed test leaves screenshots in artifactsDir (see browser.ts).
    failed = failed || (await readdir(artifactsDir)).length > 0;
    await teardown();
  };
}
