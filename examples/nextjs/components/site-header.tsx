import Link from "next/link";
import { SignedIn, SignedOut, UserButton } from "@latchkey/nextjs";

const link = "text-sm text-[var(--muted-foreground)] hover:text-[var(--foreground)]";

// SiteHeader shows the account menu when signed in and the sign-in links when
// signed out. Both branches are decided on the server first, from the state
// LatchkeyProvider passed down, then follow the browser's state (another tab
// signing out, a profile edit).
export function SiteHeader() {
  return (
    <header className="border-b border-[var(--border)]">
      <div className="mx-auto flex h-14 w-full max-w-5xl items-center justify-between px-6">
        <Link href="/" className="font-semibold tracking-tight">
          Acme
        </Link>
        <nav aria-label="Main" className="flex items-center gap-5">
          <Link href="/dashboard" className={link}>
            Dashboard
          </Link>
          <Link href="/themed" className={link}>
            Themes
          </Link>
          <SignedIn>
            <span data-auth="signed-in" className="flex items-center gap-5">
              <Link href="/account" className={link}>
                Account
              </Link>
              <UserButton showName userProfileMode="navigation" userProfileUrl="/account" afterSignOutUrl="/" />
            </span>
          </SignedIn>
          <SignedOut>
            <span data-auth="signed-out" className="flex items-center gap-5">
              <Link href="/sign-in" className={link}>
                Sign in
              </Link>
              <Link
                href="/sign-up"
                className="rounded-md bg-[var(--primary)] px-3 py-1.5 text-sm font-medium text-[var(--primary-foreground)]"
              >
                Sign up
              </Link>
            </span>
          </SignedOut>
        </nav>
      </div>
    </header>
  );
}
