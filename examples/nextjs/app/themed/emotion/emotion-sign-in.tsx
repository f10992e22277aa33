"use client";

import { css } from "@emotion/css";
import { SignIn } from "@latchkey/nextjs";

// A class made by a CSS-in-JS library at run time. Emotion inserts unlayered
// rules, which win over the layered skin like any other app CSS.
const submit = css({
  backgroundColor: "rgb(219, 39, 119)",
  color: "rgb(255, 255, 255)",
});

export function EmotionSignIn() {
  return <SignIn appearance={{ classNames: { "signIn-submit": submit } }} />;
}
