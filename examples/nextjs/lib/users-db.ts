// The example's own copy of its users, kept in step by Latchkey's webhooks:
// a JSON file (EXAMPLE_DB_PATH, default .data/users.json) mapping a user id
// to what the app needs of that user. A real app would use its database; the
// rules that make the copy correct are the same.
//
// - Deliveries are at least once and may arrive out of order, so an event is
//   applied only if its sequence is above the one stored for its user: a
//   retry (same sequence) or an older update changes nothing.
// - user.deleted leaves a tombstone with its sequence, so a late user.updated
//   cannot bring the user back.
// - Writes go one at a time (a promise chain: one Node.js process serves the
//   app) and replace the file atomically (a temporary file, then rename), so
//   a reader or a crash never sees half a file.

import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { WebhookEvent } from "@latchkey/nextjs/server";

export interface SyncedUser {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  deleted: boolean;
  /** The sequence of the last event applied to this user. */
  sequence: number;
  /** When that event's change happened on Latchkey, in Unix milliseconds. */
  updatedAt: number;
}

export type UsersFile = Record<string, SyncedUser>;

/** What applyUserEvent did: "stale" is a retry or an event older than the stored one. */
export type ApplyResult = "applied" | "stale" | "ignored";

/** usersDbPath is where the file lives, resolved against the app's working directory. */
export function usersDbPath(): string {
  // The ignore comments keep next build from tracing (and shipping) the
  // whole project for a path only known at run time.
  return path.resolve(/*turbopackIgnore: true*/ process.env.EXAMPLE_DB_PATH ?? path.join(".data", "users.json"));
}

/** readUsers returns the file's users, or none if it does not exist yet. */
export async function readUsers(): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(/*turbopackIgnore: true*/ usersDbPath(), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  return JSON.parse(text) as UsersFile;
}

let writes: Promise<unknown> = Promise.resolve();

/**
 * applyUserEvent records a user.created, user.updated or user.deleted event
 * and ignores every other type. Calls are serialized: each one reads the
 * file after the previous one has written it.
 */
export function applyUserEvent(event: WebhookEvent): Promise<ApplyResult> {
  const result = writes.then(() => apply(event));
  writes = result.catch(() => undefined);
  return result;
}

async function apply(event: WebhookEvent): Promise<ApplyResult> {
  let next: SyncedUser;
  switch (event.type) {
    case "user.created":
    case "user.updated": {
      const u = event.data;
      const primary = u.email_addresses.find((e) => e.id === u.primary_email_address_id) ?? u.email_addresses[0];
      next = {
        id: u.id,
        email: primary?.email_address ?? null,
        firstName: u.first_name,
        lastName: u.last_name,
        imageUrl: u.image_url || null,
        deleted: false,
        sequence: event.sequence,
        updatedAt: event.timestamp,
      };
      break;
    }
    case "user.deleted":
      // Nothing personal is kept of a deleted user, only what stops a late update.
      next = {
        id: event.data.id,
        email: null,
        firstName: null,
        lastName: null,
        imageUrl: null,
        deleted: true,
        sequence: event.sequence,
        updatedAt: event.timestamp,
      };
      break;
    default:
      return "ignored";
  }
  const users = await readUsers();
  const stored = users[next.id];
  if (stored !== undefined && event.sequence <= stored.sequence) return "stale";
  users[next.id] = next;
  await writeAtomically(usersDbPath(), JSON.stringify(users, null, 2) + "\n");
  return "applied";
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Beside the file, so the rename stays on one file system.
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, text, "utf8");
  await rename(temporary, file);
}
