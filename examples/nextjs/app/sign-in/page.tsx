import type { Metadata } from "next";
import { SignIn } from "@latchkey/nextjs";

export const metadata: Metadata = { title: "Sign in" };

// The drop-in sign-in: every step (identifier, password, codes, magic link,
// password reset) happens inside this one page. After signing in it goes to
// the ?redirect_url= the proxy added (same origin only), else to /dashboard.
export default function SignInPage() {
  return (
    <div className="flex justify-center py-8">
      <SignIn afterSignInUrl="/dashboard" signUpUrl="/sign-up" />
    </div>
  );
}
