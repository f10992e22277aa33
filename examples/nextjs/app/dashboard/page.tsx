import type { Metadata } from "next";
import Link from "next/link";
import { auth, currentUser } from "@latchkey/nextjs/server";

export const metadata: Metadata = { title: "Dashboard" };

type CurrentUser = Awaited<ReturnType<typeof currentUser>>;

// A protected page rendered on the server. The proxy already sent signed-out
// visitors to /sign-in; auth() here reads the same verified session token, so
// the HTML that leaves the server already names the user (no flash).
export default async function DashboardPage() {
  const session = await auth();
  if (!session.userId) {
    return session.redirectToSignIn();
  }
  const user = await currentUser();
  const name = displayName(user) ?? session.userId;

  return (
    <section>
      <h1 className="text-2xl font-semibold tracking-tight">Dashboard</h1>
      <p className="mt-2 text-[var(--muted-foreground)]" data-testid="signed-in-as">
        Signed in as <strong className="text-[var(--foreground)]">{name}</strong>
      </p>
      <dl className="mt-8 grid max-w-xl grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="text-[var(--muted-foreground)]">User</dt>
        <dd className="font-mono">{session.userId}</dd>
        <dt className="text-[var(--muted-foreground)]">Session</dt>
        <dd className="font-mono">{session.sessionId}</dd>
        <dt className="text-[var(--muted-foreground)]">Auth decision</dt>
        <dd className="font-mono">{session.reason}</dd>
      </dl>
      <p className="mt-8 text-sm">
        <Link href="/account" className="underline underline-offset-4">
          Manage your account
        </Link>
      </p>
    </section>
  );
}

// displayName is the first name, else the primary email address.
function displayName(user: CurrentUser): string | null {
  if (!user) return null;
  if (user.first_name) return user.first_name;
  const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
  return primary?.email_address ?? null;
}
