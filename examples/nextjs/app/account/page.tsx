import type { Metadata } from "next";
import { UserProfile } from "@latchkey/nextjs";

export const metadata: Metadata = { title: "Account" };

// The drop-in account page: profile, email addresses, password, the devices
// signed in (with revoke) and account deletion. The proxy keeps it signed-in only.
export default function AccountPage() {
  return (
    <div className="flex justify-center">
      <UserProfile />
    </div>
  );
}
