import type { Metadata } from "next";
import { SignUp } from "@latchkey/nextjs";

export const metadata: Metadata = { title: "Sign up" };

// The drop-in sign-up: the fields the instance asks for, then the email code.
// A new account lands on the dashboard.
export default function SignUpPage() {
  return (
    <div className="flex justify-center py-8">
      <SignUp afterSignUpUrl="/dashboard" signInUrl="/sign-in" />
    </div>
  );
}
