// The dev inbox of `latchkey dev` (GET /dev/inbox.json, web/dev_inbox.go):
// every mail the instance would have sent, newest first.

import { e2e } from "./browser";

export interface DevMessage {
  id: string;
  to: string;
  subject: string;
  /** verification_code, magic_link, password_reset_code, password_reset_link, new_device_sign_in, password_changed */
  kind: string;
  text: string;
  html: string;
  codes: string[];
  links: string[];
  data: Record<string, string>;
  created_at: number;
}

export async function inboxMessages(to: string): Promise<DevMessage[]> {
  const res = await fetch(`${e2e().latchkeyUrl}/dev/inbox.json?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`GET /dev/inbox.json: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: DevMessage[] };
  return body.data;
}

/** inboxMark remembers which messages to an address exist now. */
export async function inboxMark(to: string): Promise<Set<string>> {
  return new Set((await inboxMessages(to)).map((m) => m.id));
}

/**
 * nextMessage waits for a message of kind to `to` that is not in `seen`
 * (from inboxMark before the action that sends it).
 */
export async function nextMessage(to: string, kind: string, seen: Set<string>, timeoutMs = 15_000): Promise<DevMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await inboxMessages(to)).find((m) => m.kind === kind && !seen.has(m.id));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no new ${kind} mail to ${to} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function onlyCode(message: DevMessage): string {
  const [code] = message.codes;
  if (!code || message.codes.length !== 1) throw new Error(`expected one code in "${message.subject}", got ${JSON.stringify(message.codes)}`);
  return code;
}

export function onlyLink(message: DevMessage): string {
  const [link] = message.links;
  if (!link || message.links.length !== 1) throw new Error(`expected one link in "${message.subject}", got ${JSON.stringify(message.links)}`);
  return link;
}
