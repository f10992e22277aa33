import Link from "next/link";

// The public landing page: no session needed, so the proxy lets everyone in.
export default function HomePage() {
  return (
    <section className="py-16">
      <h1 className="max-w-2xl text-4xl font-semibold tracking-tight">Ship your product. Authentication is already done.</h1>
      <p className="mt-4 max-w-2xl text-lg text-[var(--muted-foreground)]">
        Acme is a small SaaS shell signed in by Latchkey: email and password, magic links, password resets, a
        protected dashboard rendered on the server, and an account page, all on your own origin.
      </p>
      <div className="mt-8 flex gap-3">
        <Link
          href="/sign-up"
          className="rounded-md bg-[var(--primary)] px-4 py-2 font-medium text-[var(--primary-foreground)]"
        >
          Create an account
        </Link>
        <Link href="/dashboard" className="rounded-md border border-[var(--border)] px-4 py-2 font-medium">
          Go to the dashboard
        </Link>
      </div>
    </section>
  );
}
