import { logTail, type Service } from "./processes";

/**
 * waitForHttp polls url until it answers a status below 500, and fails early
 * if the service that should answer has exited.
 */
export async function waitForHttp(url: string, service: Service, timeoutMs: number): Promise<void> {
  let exited: number | string | null = null;
  void service.exited.then((code) => {
    exited = code;
  });
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`${service.name} exited (${exited}) before ${url} answered\n${await logTail(service.logPath)}`);
    }
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s (${last})\n${await logTail(service.logPath)}`);
}
