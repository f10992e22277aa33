import { useEffect, useState, type ReactNode } from "react";
import { useLocalization } from "../../localization/use-localization";
import { SignUpRoot, SignUpStepView } from "../../primitives/sign-up";
import { AppearanceScope } from "../../styling/appearance";
import { useSlot } from "../../styling/slots";
import { useRootPart } from "../../styling/use-part";
import { withRedirectParam } from "../shared/destination";
import { SignUpCard, type SignUpProps } from "./sign-up";

export type { SignUpProps } from "./sign-up";

/**
 * SignUp is the drop-in sign-up card (<SignUp />, or <SignUp mode="modal"
 * open onOpenChange />) and the namespace of its headless primitives
 * (<SignUp.Root>, <SignUp.Step name="start">).
 */
export const SignUp = Object.assign(SignUpCard, { Root: SignUpRoot, Step: SignUpStepView });

export interface SignUpButtonProps extends Omit<SignUpProps, "mode" | "open" | "onOpenChange"> {
  /** "redirect" (default) links to signUpUrl; "modal" opens <SignUp /> in a dialog. */
  mode?: "redirect" | "modal";
  /** The sign-up page (default "/sign-up"). */
  signUpUrl?: string;
  children?: ReactNode;
}

/** SignUpButton opens sign-up: a link to the sign-up page, or a button opening the modal. */
export function SignUpButton({ mode = "redirect", signUpUrl = "/sign-up", children, ...props }: SignUpButtonProps) {
  return (
    <AppearanceScope appearance={props.appearance} components={props.components} localization={props.localization}>
      {mode === "modal" ? <ModalTrigger {...props}>{children}</ModalTrigger> : <RedirectTrigger signUpUrl={signUpUrl}>{children}</RedirectTrigger>}
    </AppearanceScope>
  );
}

function RedirectTrigger({ signUpUrl, children }: { signUpUrl: string; children?: ReactNode }) {
  const Link = useSlot("Link");
  const [href, setHref] = useState(signUpUrl);
  useEffect(() => setHref(withRedirectParam(signUpUrl)), [signUpUrl]);
  return (
    <Link {...useRootPart("signUp-trigger", { mode: "redirect" })} href={href}>
      {children ?? <DefaultLabel />}
    </Link>
  );
}

// The card is already inside the button's appearance scope: it gets none of its own.
function ModalTrigger({ children, appearance: _a, components: _c, localization: _l, ...props }: Omit<SignUpButtonProps, "mode" | "signUpUrl">) {
  const Button = useSlot("Button");
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...useRootPart("signUp-trigger", { mode: "modal", open })} type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {children ?? <DefaultLabel />}
      </Button>
      <SignUpCard {...props} mode="modal" open={open} onOpenChange={setOpen} />
    </>
  );
}

function DefaultLabel() {
  return <>{useLocalization().signIn.signUp}</>;
}
