// The steps of <SignIn />, one component each, built from the primitives.

import type { Environment, FirstFactorStrategy } from "@latchkey/js";
import { useSignIn } from "../../hooks";
import { format } from "../../localization/format";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { SignInStepView } from "../../primitives/sign-in";
import { usePart } from "../../styling/use-part";
import { Secondary, Submit } from "../shared/actions";
import { CheckboxField, CodeField, TextField } from "../shared/fields";
import { Identity } from "../shared/identity";
import { SocialSection } from "../shared/social";
import { identifierInput } from "./identifier-label";

export function IdentifierStep({ env }: { env: Environment }) {
  const t = useLocalization().signIn;
  const { label, emailOnly } = identifierInput(env, t.identifier);
  return (
    <SignInStepView name="identifier" part="signIn-step">
      <SocialSection component="signIn" position="top" />
      <TextField
        component="signIn"
        name="identifier"
        label={label}
        type={emailOnly ? "email" : "text"}
        inputMode={emailOnly ? "email" : undefined}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
      />
      <Submit part="signIn-submit">{t.continue}</Submit>
      <SocialSection component="signIn" position="bottom" />
    </SignInStepView>
  );
}

export function PasswordStep() {
  const t = useLocalization().signIn;
  const { values, resetStrategies, strategies, reset, forgotPassword, showStrategies } = useSignIn();
  return (
    <SignInStepView name="password" part="signIn-step">
      <Identity component="signIn" text={String(values.identifier)} change={t.changeIdentifier} onChange={reset} />
      <HiddenIdentifier value={String(values.identifier)} />
      <TextField component="signIn" name="password" label={t.password} type="password" autoComplete="current-password" required />
      <Submit part="signIn-submit">{t.continue}</Submit>
      <Box part="signIn-actions">
        {resetStrategies.length > 0 ? (
          <Secondary part="signIn-forgotPassword" onClick={forgotPassword}>
            {t.forgotPassword}
          </Secondary>
        ) : null}
        {strategies.length > 0 ? (
          <Secondary part="signIn-useAnotherMethod" onClick={showStrategies}>
            {t.useAnotherMethod}
          </Secondary>
        ) : null}
      </Box>
    </SignInStepView>
  );
}

/** StrategiesStep lists other first factors ("choose_strategy") or the ways to reset a password ("forgot_password"). */
export function StrategiesStep({ name }: { name: "choose_strategy" | "forgot_password" }) {
  const t = useLocalization().signIn;
  const flow = useSignIn();
  const list = name === "forgot_password" ? flow.resetStrategies : choices(flow);
  const target = maskedFor(flow.flow.signIn?.supported_first_factors, String(flow.values.identifier));
  return (
    <SignInStepView name={name} part="signIn-step">
      <Box part="signIn-strategyList">
        {list.map((strategy) => (
          <Secondary key={strategy} part="signIn-strategy" state={{ strategy }} onClick={() => void flow.chooseStrategy(strategy)}>
            {format(t.strategies[strategy], { identifier: target(strategy) })}
          </Secondary>
        ))}
      </Box>
      <Secondary part="signIn-back" onClick={flow.back}>
        {useLocalization().common.back}
      </Secondary>
    </SignInStepView>
  );
}

/** CodeStep takes the code mailed for signing in ("email_code") or for a reset ("reset_code"). */
export function CodeStep({ name }: { name: "email_code" | "reset_code" }) {
  const t = useLocalization().signIn;
  const { values, reset } = useSignIn();
  return (
    <SignInStepView name={name} part="signIn-step">
      <Identity component="signIn" text={String(values.identifier)} change={t.changeIdentifier} onChange={reset} />
      <CodeField component="signIn" label={t.code} />
      <Submit part="signIn-submit">{t.continue}</Submit>
      <SentActions name={name} resendText={t.resendCode} />
    </SignInStepView>
  );
}

/**
 * SentActions are the actions under a sent code or link: send it again,
 * another method (sign-in factors, when there is one), or back (resets).
 */
function SentActions({ name, resendText }: { name: "email_code" | "email_link" | "reset_code" | "reset_link"; resendText: string }) {
  const t = useLocalization().signIn;
  const common = useLocalization().common;
  const flow = useSignIn();
  const { resend, showStrategies, back } = flow;
  const reset = name === "reset_code" || name === "reset_link";
  return (
    <Box part="signIn-actions">
      <Secondary part="signIn-resend" onClick={() => void resend()}>
        {resendText}
      </Secondary>
      {!reset && choices(flow).some((s) => s !== name) ? (
        <Secondary part="signIn-useAnotherMethod" onClick={showStrategies}>
          {t.useAnotherMethod}
        </Secondary>
      ) : null}
      {reset ? (
        <Secondary part="signIn-back" onClick={back}>
          {common.back}
        </Secondary>
      ) : null}
    </Box>
  );
}

/** LinkStep waits while a mailed link is opened ("email_link", "reset_link"); the flow polls. */
export function LinkStep({ name }: { name: "email_link" | "reset_link" }) {
  const t = useLocalization().signIn;
  const { values, reset } = useSignIn();
  return (
    <SignInStepView name={name} part="signIn-step">
      <Identity component="signIn" text={String(values.identifier)} change={t.changeIdentifier} onChange={reset} />
      <Box part="signIn-stepText" role="status" render={<p />}>
        {t.waitingForLink}
      </Box>
      <SentActions name={name} resendText={t.resendLink} />
    </SignInStepView>
  );
}

export function NewPasswordStep() {
  const t = useLocalization().signIn;
  const { values } = useSignIn();
  return (
    <SignInStepView name="new_password" part="signIn-step">
      <HiddenIdentifier value={String(values.identifier)} />
      <TextField component="signIn" name="new_password" label={t.newPassword} type="password" autoComplete="new-password" required />
      <CheckboxField component="signIn" name="sign_out_of_other_sessions" label={t.signOutOfOtherSessions} />
      <Submit part="signIn-submit">{t.resetPassword}</Submit>
    </SignInStepView>
  );
}

export function CompleteStep() {
  const t = useLocalization().signIn;
  return (
    <SignInStepView name="complete" part="signIn-step">
      <Box part="signIn-stepText" role="status" render={<p />}>
        {t.completeText}
      </Box>
    </SignInStepView>
  );
}

// HiddenIdentifier tells password managers which account a password belongs
// to on steps that no longer show the identifier input.
function HiddenIdentifier({ value }: { value: string }) {
  return <input {...usePart("signIn-hiddenIdentifier")} type="text" name="username" autoComplete="username" value={value} readOnly hidden tabIndex={-1} aria-hidden="true" />;
}

// choices are the first factors "Use another method" offers: the flow's
// strategies, and the password when the sign-in accepts one.
function choices(flow: { strategies: FirstFactorStrategy[]; flow: { signIn: { supported_first_factors: { strategy: FirstFactorStrategy }[] } | null } }): FirstFactorStrategy[] {
  const password = flow.flow.signIn?.supported_first_factors.some((f) => f.strategy === "password") ?? false;
  return password ? [...flow.strategies, "password"] : flow.strategies;
}

function maskedFor(factors: { strategy: FirstFactorStrategy; safe_identifier?: string }[] | undefined, fallback: string) {
  return (strategy: FirstFactorStrategy) => factors?.find((f) => f.strategy === strategy)?.safe_identifier ?? fallback;
}
