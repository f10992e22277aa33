// Webhooks end to end: Latchkey delivers user events to the example app's
// route (examples/nextjs/app/api/webhooks/latchkey/route.ts), which verifies
// them with verifyWebhook and keeps its JSON users database in step
// (examples/nextjs/lib/users-db.ts). The app was started with
// LATCHKEY_WEBHOOK_SECRET and EXAMPLE_DB_PATH by global setup; the endpoint
// is created here with that same secret.

import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { createWebhookEndpoint, deleteUser, strongPassword, uniqueEmail } from "../src/backend";
import { e2e, newContext, useBrowser } from "../src/browser";
import { inboxMark, nextMessage, onlyCode } from "../src/inbox";
import { cookie, submit, tokenClaims } from "../src/ui";

const browser = useBrowser();

/** One user in the example's database (SyncedUser in examples/nextjs/lib/users-db.ts). */
interface SyncedUser {
  id: string;
  email: string | null;
  firstName: string | null;
  deleted: boolean;
  sequence: number;
}

async function syncedUser(id: string): Promise<SyncedUser | undefined> {
  let text: string;
  try {
    text = await readFile(e2e().exampleDbPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  // The app replaces the file by renaming a complete one: never half written.
  return (JSON.parse(text) as Record<string, SyncedUser>)[id];
}

/** waitForUser polls the database until the user's record satisfies done (at most 10 s). */
async function waitForUser(id: string, what: string, done: (u: SyncedUser) => boolean): Promise<SyncedUser> {
  const deadline = Date.now() + 10_000;
  let last: SyncedUser | undefined;
  for (;;) {
    last = await syncedUser(id);
    if (last !== undefined && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} not in ${e2e().exampleDbPath} within 10 s; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("a signed-up user reaches the app's database by webhook, and so does its deletion", async () => {
  const endpoint = await createWebhookEndpoint({
    url: `${e2e().appUrl}/api/webhooks/latchkey`,
    event_types: ["user.created", "user.updated", "user.deleted"],
    secret: e2e().webhookSecret,
  });
  expect(endpoint.id).toBeTruthy();
  expect(endpoint.secret).toBe(e2e().webhookSecret);

  // Sign up through the UI, as in sign-up.test.ts.
  const context = await newContext(browser());
  const page = await context.newPage();
  const email = uniqueEmail("wren");
  await page.goto("/sign-up");
  const seen = await inboxMark(email);
  await page.getByLabel("First name").fill("Wren");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(strongPassword());
  await submit(page, "signUp").click();
  await page.getByLabel("Verification code").fill(onlyCode(await nextMessage(email, "verification_code", seen)));
  await page.waitForURL((url) => url.pathname === "/dashboard");
  const session = await cookie(context, "__lk_session");
  if (session === null) throw new Error("no __lk_session cookie after sign-up");
  const userId = tokenClaims(session).sub;

  const created = await waitForUser(userId, "the new user", (u) => !u.deleted && u.sequence >= 1);
  expect(created).toMatchObject({ id: userId, email, firstName: "Wren", deleted: false });

  await deleteUser(userId);
  const tombstone = await waitForUser(userId, "the user's tombstone", (u) => u.deleted);
  expect(tombstone.sequence).toBeGreaterThan(created.sequence);
  expect(tombstone).toMatchObject({ id: userId, email: null, firstName: null });
});
