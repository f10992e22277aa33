// Child processes of the test run: each starts in its own process group, so
// stopping it also stops whatever it started (next start's workers, go
// build's compilers), and every group still alive when this process exits is
// killed, whatever made it exit.

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";

const live = new Set<ChildProcess>();

process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where stdout and stderr go. */
  logPath: string;
}

/** Service is a long-running child process (a server). */
export interface Service {
  readonly name: string;
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM to the group, then SIGKILL if it is still running after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export function startService(name: string, command: string, args: string[], options: SpawnOptions): Service {
  const log = createWriteStream(options.logPath);
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (err) => {
      log.write(`\n[e2e] ${name} could not start: ${err.message}\n`);
      live.delete(child);
      resolve("spawn-error");
    });
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    logPath: options.logPath,
    exited,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
        // Children of the group that outlived its leader.
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
        await new Promise<void>((resolve) => log.end(() => resolve()));
      })();
      return stopping;
    },
  };
}

/**
 * runToCompletion runs a command (a build) and resolves when it exits 0. It
 * is killed after timeoutMs; a failure carries the end of its output.
 */
export async function runToCompletion(name: string, command: string, args: string[], options: SpawnOptions & { timeoutMs: number }): Promise<void> {
  const service = startService(name, command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void service.stop(2_000);
  }, options.timeoutMs);
  const code = await service.exited;
  clearTimeout(timer);
  await service.stop(2_000);
  if (timedOut) {
    throw new Error(`${name} did not finish within ${Math.round(options.timeoutMs / 1000)} s\n${await logTail(options.logPath)}`);
  }
  if (code !== 0) {
    throw new Error(`${name} failed (exit ${code})\n${await logTail(options.logPath)}`);
  }
}

/** logTail returns the last lines of a log file, for error messages. */
export async function logTail(path: string, lines = 60): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return `--- last lines of ${path} ---\n` + text.split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${path})`;
  }
}
