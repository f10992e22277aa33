// <SignIn />: the drop-in sign-in card, as a page or a modal. Built only
// from the primitives and slots, so every piece can be restyled or swapped.

import type { SignInField, SignInFlow } from "@latchkey/js";
import { useLatchkeyContext } from "../../context";
import { useFlowState, useOwnedFlow } from "../../flows";
import { format } from "../../localization/format";
import type { Localization } from "../../localization/resources";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { GlobalError } from "../../primitives/global-error";
import { SignInRoot } from "../../primitives/sign-in";
import { AppearanceScope, type Appearance } from "../../styling/appearance";
import type { Slots } from "../../styling/slots";
import { SignUpCard } from "../sign-up/sign-up";
import { CardFooter } from "../shared/footer";
import { Frame } from "../shared/frame";
import { CardHeader } from "../shared/header";
import type { CompleteEvent } from "../shared/use-completion";
import { useCompletion } from "../shared/use-completion";
import { CodeStep, CompleteStep, IdentifierStep, LinkStep, NewPasswordStep, PasswordStep, StrategiesStep } from "./steps";

export interface SignInProps {
  /** Steps live in memory, not in the URL (the only routing for now). */
  routing?: "virtual";
  /** Always go here once signed in, whatever ?redirect_url= says. */
  redirectUrl?: string;
  /** Go here once signed in when the URL has no ?redirect_url= (default "/"; a modal stays on its page). */
  afterSignInUrl?: string;
  /** The sign-up page the footer links to (default "/sign-up"). */
  signUpUrl?: string;
  /** Prefill fields: { identifier: "ada@example.com" }. */
  initialValues?: Partial<Record<SignInField, string>>;
  /** Called instead of navigating once signed in. */
  onComplete?: (event: CompleteEvent) => void;
  appearance?: Appearance;
  components?: Partial<Slots>;
  localization?: Localization;
  /** "page" (default) renders the card in place; "modal" renders it in a dialog. */
  mode?: "page" | "modal";
  /** Modal mode: whether the dialog is open. */
  open?: boolean;
  /** Modal mode: called to open or close the dialog (Escape, backdrop, close button). */
  onOpenChange?: (open: boolean) => void;
  /**
   * Start by signing in to the account a sign-up's social identity belongs
   * to. <SignUp /> sets it when it comes back from a provider with such an
   * identity; an app rarely needs to.
   */
  transfer?: boolean;
}

/** SignInCard is <SignIn /> without its appearance scope. */
export function SignInCard(props: SignInProps) {
  return (
    <AppearanceScope appearance={props.appearance} components={props.components} localization={props.localization}>
      <SignInContent {...props} />
    </AppearanceScope>
  );
}

function SignInContent({ redirectUrl, afterSignInUrl, signUpUrl = "/sign-up", initialValues, onComplete, mode = "page", open = true, onOpenChange, transfer = false }: SignInProps) {
  const { client, state } = useLatchkeyContext();
  const t = useLocalization();
  const flow = useOwnedFlow<SignInFlow>(undefined, () => prefilled(client.signInFlow(transfer ? { transfer: true } : undefined), initialValues), "sign_in_root_missing");
  const flowState = useFlowState(flow);
  const env = state.environment;
  useCompletion({ redirectUrl, fallbackUrl: afterSignInUrl, complete: flowState.step === "complete", sessionId: flowState.createdSessionId, modal: mode === "modal", onComplete });

  // The provider's identity has no account: create it (with any fields still missing).
  if (flowState.transferable) {
    return <SignUpCard transfer redirectUrl={redirectUrl} afterSignUpUrl={afterSignInUrl} onComplete={onComplete} mode={mode} open={open} onOpenChange={onOpenChange} />;
  }

  const texts = t.signIn.steps[flowState.step];
  const params = { applicationName: env?.branding.application_name ?? "", identifier: flowState.safeIdentifier ?? String(flowState.values.identifier) };
  const title = texts.title;
  const subtitle = format(texts.subtitle, params);
  return (
    <Frame component="signIn" mode={mode} open={open} onOpenChange={onOpenChange ?? ignore} label={title} step={flowState.step} busy={flowState.busy}>
      <CardHeader component="signIn" title={title} subtitle={env ? subtitle : ""} />
      {env ? (
        <SignInRoot flow={flow} part="signIn-form" autoFocus>
          <GlobalError part="signIn-globalError" />
          <IdentifierStep env={env} />
          <PasswordStep />
          <StrategiesStep name="choose_strategy" />
          <CodeStep name="email_code" />
          <LinkStep name="email_link" />
          <StrategiesStep name="forgot_password" />
          <CodeStep name="reset_code" />
          <LinkStep name="reset_link" />
          <NewPasswordStep />
          <CompleteStep />
        </SignInRoot>
      ) : (
        <Box part="signIn-loading" role="status" aria-live="polite">
          {t.common.loading}
        </Box>
      )}
      {env && flowState.step === "identifier" && env.sign_up.mode === "public" ? <CardFooter component="signIn" text={t.signIn.noAccount} linkText={t.signIn.signUp} href={signUpUrl} /> : null}
    </Frame>
  );
}

function prefilled(flow: SignInFlow, values: SignInProps["initialValues"]): SignInFlow {
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value !== undefined) flow.setField(name as SignInField, value);
  }
  return flow;
}

function ignore() {}
