import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ThemeNav } from "./theme-nav";

export const metadata: Metadata = { title: "Themes" };

// The same <SignIn /> restyled each way the styling contract allows. The
// browser tests check each page's submit button with computed styles.
export default function ThemedLayout({ children }: { children: ReactNode }) {
  return (
    <div>
      <h1 className="text-2xl font-semibold tracking-tight">Themes</h1>
      <p className="mt-2 max-w-2xl text-[var(--muted-foreground)]">
        One sign-in form, restyled without forking it: design tokens, a Tailwind utility, a CSS module, a CSS-in-JS
        class, no skin at all, and a swapped submit button.
      </p>
      <ThemeNav />
      <div className="mt-8 flex justify-center">{children}</div>
    </div>
  );
}
