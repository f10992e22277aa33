import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from "@latchkey/nextjs/server";
import { applyUserEvent } from "../../../../lib/users-db";

// The users database is a file on this machine: the Node.js runtime.
export const runtime = "nodejs";

// Latchkey's webhooks (an endpoint created with this URL, its secret in
// LATCHKEY_WEBHOOK_SECRET). verifyWebhook checks the signature and the
// timestamp; the users database drops retries and out-of-order updates by
// their sequence, so a duplicate delivery is answered 200 like any other.
export async function POST(request: Request): Promise<Response> {
  let event: WebhookEvent;
  try {
    event = await verifyWebhook(request);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    // A missing secret is this app's mistake, not the sender's: say so in the log.
    if (err.code === "missing_secret") console.error(err.message);
    return Response.json({ error: err.code }, { status: 400 });
  }
  await applyUserEvent(event);
  return Response.json({ ok: true });
}
