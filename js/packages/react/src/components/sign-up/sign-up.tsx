// <SignUp />: the drop-in sign-up card, as a page or a modal. Its fields
// follow the instance's settings (names, identifiers, password, consent).

import type { SignUpField, SignUpFlow } from "@latchkey/js";
import { useLatchkeyContext } from "../../context";
import { useFlowState, useOwnedFlow } from "../../flows";
import { format } from "../../localization/format";
import type { Localization } from "../../localization/resources";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { GlobalError } from "../../primitives/global-error";
import { SignUpRoot } from "../../primitives/sign-up";
import { AppearanceScope, type Appearance } from "../../styling/appearance";
import type { Slots } from "../../styling/slots";
import { SignInCard } from "../sign-in/sign-in";
import { CardFooter } from "../shared/footer";
import { Frame } from "../shared/frame";
import { CardHeader } from "../shared/header";
import { useCompletion, type CompleteEvent } from "../shared/use-completion";
import { CompleteStep, FieldsStep, VerifyStep } from "./steps";

export interface SignUpProps {
  /** Steps live in memory, not in the URL (the only routing for now). */
  routing?: "virtual";
  /** Always go here once signed up, whatever ?redirect_url= says. */
  redirectUrl?: string;
  /** Go here once signed up when the URL has no ?redirect_url= (default "/"; a modal stays on its page). */
  afterSignUpUrl?: string;
  /** The sign-in page the footer links to (default "/sign-in"). */
  signInUrl?: string;
  /** Prefill fields: { email_address: "ada@example.com" }. */
  initialValues?: Partial<Record<Exclude<SignUpField, "code">, string>>;
  /** Called instead of navigating once signed up. */
  onComplete?: (event: CompleteEvent) => void;
  appearance?: Appearance;
  components?: Partial<Slots>;
  localization?: Localization;
  /** "page" (default) renders the card in place; "modal" renders it in a dialog. */
  mode?: "page" | "modal";
  /** Modal mode: whether the dialog is open. */
  open?: boolean;
  /** Modal mode: called to open or close the dialog. */
  onOpenChange?: (open: boolean) => void;
  /**
   * Start by creating the sign-up from a sign-in whose social identity has
   * no account yet. <SignIn /> sets it when it comes back from a provider
   * with such an identity; an app rarely needs to.
   */
  transfer?: boolean;
}

/** SignUpCard is the drop-in sign-up card. */
export function SignUpCard(props: SignUpProps) {
  return (
    <AppearanceScope appearance={props.appearance} components={props.components} localization={props.localization}>
      <SignUpContent {...props} />
    </AppearanceScope>
  );
}

function SignUpContent({ redirectUrl, afterSignUpUrl, signInUrl = "/sign-in", initialValues, onComplete, mode = "page", open = true, onOpenChange, transfer = false }: SignUpProps) {
  const { client, state } = useLatchkeyContext();
  const t = useLocalization();
  const flow = useOwnedFlow<SignUpFlow>(undefined, () => prefilled(client.signUpFlow(transfer ? { transfer: true } : undefined), initialValues), "sign_up_root_missing");
  const flowState = useFlowState(flow);
  const env = state.environment;
  useCompletion({ redirectUrl, fallbackUrl: afterSignUpUrl, complete: flowState.step === "complete", sessionId: flowState.createdSessionId, modal: mode === "modal", onComplete });

  // The provider's identity belongs to an account: sign in to it instead.
  if (flowState.transferable) {
    return <SignInCard transfer redirectUrl={redirectUrl} afterSignInUrl={afterSignUpUrl} onComplete={onComplete} mode={mode} open={open} onOpenChange={onOpenChange} />;
  }

  const texts = t.signUp.steps[flowState.step];
  const params = { applicationName: env?.branding.application_name ?? "", emailAddress: String(flowState.values.email_address) };
  const closed = env !== null && env.sign_up.mode !== "public";
  return (
    <Frame component="signUp" mode={mode} open={open} onOpenChange={onOpenChange ?? ignore} label={texts.title} step={flowState.step} busy={flowState.busy}>
      <CardHeader component="signUp" title={texts.title} subtitle={env ? format(texts.subtitle, params) : ""} />
      {!env ? (
        <Box part="signUp-loading" role="status" aria-live="polite">
          {t.common.loading}
        </Box>
      ) : closed ? (
        <Box part="signUp-notice" role="status" render={<p />}>
          {env.sign_up.mode === "waitlist" ? t.signUp.waitlist : t.signUp.restricted}
        </Box>
      ) : (
        <SignUpRoot flow={flow} part="signUp-form" autoFocus>
          <GlobalError part="signUp-globalError" />
          <FieldsStep env={env} />
          <VerifyStep name="verify_email_code" env={env} />
          <VerifyStep name="verify_email_link" env={env} />
          <CompleteStep />
        </SignUpRoot>
      )}
      {env && (flowState.step === "start" || closed) ? <CardFooter component="signUp" text={t.signUp.haveAccount} linkText={t.signUp.signIn} href={signInUrl} /> : null}
    </Frame>
  );
}

function prefilled(flow: SignUpFlow, values: SignUpProps["initialValues"]): SignUpFlow {
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value !== undefined) flow.setField(name as SignUpField, value);
  }
  return flow;
}

function ignore() {}
