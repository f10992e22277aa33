import type { Metadata } from "next";
import type { ReactNode } from "react";
import { LatchkeyProvider } from "@latchkey/nextjs";
import { SiteHeader } from "../components/site-header";
// globals.css declares the CSS layer order, so it comes before the skin.
import "./globals.css";
import "@latchkey/react/skin.css";

export const metadata: Metadata = {
  title: { default: "Acme", template: "%s · Acme" },
  description: "A small SaaS shell signed in by Latchkey.",
};

// LatchkeyProvider is a server component: it reads the request's session
// (auth() and currentUser()) and hands it to the browser, so the first HTML
// already shows the signed-in header and there is no flash of signed-out UI.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <LatchkeyProvider>
          <SiteHeader />
          <main className="mx-auto w-full max-w-5xl px-6 py-10">{children}</main>
        </LatchkeyProvider>
      </body>
    </html>
  );
}
