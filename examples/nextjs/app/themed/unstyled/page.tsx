import { SignIn } from "@latchkey/nextjs";

// No skin at all: the root carries data-lk-unstyled and no rule of skin.css
// applies inside it. The parts and data-* attributes are still there to
// style from scratch.
export default function UnstyledTheme() {
  return <SignIn appearance={{ unstyled: true }} />;
}
