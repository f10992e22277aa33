// axe-core in the page: no serious or critical accessibility violation.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

declare global {
  interface Window {
    axe?: {
      run(context: Element | Document, options: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }>;
    };
  }
}

/**
 * seriousViolations runs axe-core on the whole page once it is still and returns
 * the violations whose impact is serious or critical, one line each.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  // A transition still running (a button fading back from busy) would be
  // measured half-way: let every finite animation finish first.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  if (!(await page.evaluate(() => window.axe !== undefined))) {
    await page.addScriptTag({ content: axeSource });
  }
  const violations: Violation[] = await page.evaluate(async () => {
    const result = await window.axe!.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(", ")}`);
}
