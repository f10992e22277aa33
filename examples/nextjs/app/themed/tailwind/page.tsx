import { SignIn } from "@latchkey/nextjs";

// A Tailwind utility on a part: utilities come after the latchkey layer (see
// app/globals.css), so bg-emerald-600 beats the skin's primary colour.
export default function TailwindTheme() {
  return <SignIn appearance={{ classNames: { "signIn-submit": "bg-emerald-600 text-white" } }} />;
}
