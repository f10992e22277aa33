import { useEffect, useState, type ReactNode } from "react";
import { signInUrlWithRedirect } from "../../control";
import { useLocalization } from "../../localization/use-localization";
import { SignInRoot, SignInStepView } from "../../primitives/sign-in";
import { AppearanceScope } from "../../styling/appearance";
import { useSlot } from "../../styling/slots";
import { useRootPart } from "../../styling/use-part";
import { SignInCard, type SignInProps } from "./sign-in";

export type { SignInProps } from "./sign-in";

/**
 * SignIn is the drop-in sign-in card (<SignIn />, or <SignIn mode="modal"
 * open onOpenChange />) and the namespace of its headless primitives
 * (<SignIn.Root>, <SignIn.Step name="password">).
 */
export const SignIn = Object.assign(SignInCard, { Root: SignInRoot, Step: SignInStepView });

export interface SignInButtonProps extends Omit<SignInProps, "mode" | "open" | "onOpenChange"> {
  /** "redirect" (default) links to signInUrl; "modal" opens <SignIn /> in a dialog. */
  mode?: "redirect" | "modal";
  /** The sign-in page (default "/sign-in"); ?redirect_url= brings the person back here. */
  signInUrl?: string;
  children?: ReactNode;
}

/** SignInButton opens sign-in: a link to the sign-in page, or a button opening the modal. */
export function SignInButton({ mode = "redirect", signInUrl = "/sign-in", children, ...props }: SignInButtonProps) {
  return (
    <AppearanceScope appearance={props.appearance} components={props.components} localization={props.localization}>
      {mode === "modal" ? <ModalTrigger {...props}>{children}</ModalTrigger> : <RedirectTrigger signInUrl={signInUrl}>{children}</RedirectTrigger>}
    </AppearanceScope>
  );
}

function RedirectTrigger({ signInUrl, children }: { signInUrl: string; children?: ReactNode }) {
  const Link = useSlot("Link");
  const [href, setHref] = useState(signInUrl);
  useEffect(() => setHref(signInUrlWithRedirect(signInUrl, window.location.href)), [signInUrl]);
  return (
    <Link {...useRootPart("signIn-trigger", { mode: "redirect" })} href={href}>
      {children ?? <DefaultLabel />}
    </Link>
  );
}

// The card is already inside the button's appearance scope: it gets none of its own.
function ModalTrigger({ children, appearance: _a, components: _c, localization: _l, ...props }: Omit<SignInButtonProps, "mode" | "signInUrl">) {
  const Button = useSlot("Button");
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...useRootPart("signIn-trigger", { mode: "modal", open })} type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {children ?? <DefaultLabel />}
      </Button>
      <SignInCard {...props} mode="modal" open={open} onOpenChange={setOpen} />
    </>
  );
}

function DefaultLabel() {
  return <>{useLocalization().signIn.steps.identifier.title}</>;
}
