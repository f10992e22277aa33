// The steps of <SignUp />, one component each, built from the primitives.

import { Fragment, type ReactNode } from "react";
import type { Environment, FlowField, SignUpField } from "@latchkey/js";
import { useSignUp } from "../../hooks";
import { formatParts } from "../../localization/format";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { SignUpStepView } from "../../primitives/sign-up";
import { useAppearance } from "../../styling/appearance";
import { useSlot } from "../../styling/slots";
import { usePart } from "../../styling/use-part";
import { Secondary, Submit } from "../shared/actions";
import { CheckboxField, CodeField, TextField } from "../shared/fields";
import { Identity } from "../shared/identity";
import { SocialSection } from "../shared/social";

/** FieldsStep shows the fields of "start" (what the instance takes) and "continue" (what is still missing). */
export function FieldsStep({ env }: { env: Environment }) {
  const t = useLocalization().signUp;
  const { fields, step } = useSignUp();
  const showOptional = useAppearance().layout?.showOptionalFields ?? true;
  const shown = fields.filter((f) => f.required || showOptional);
  const first = shown.find((f) => f.name === "first_name");
  const last = shown.find((f) => f.name === "last_name");
  return (
    <SignUpStepView name={["start", "continue"]} part="signUp-step">
      {step === "start" ? <SocialSection component="signUp" position="top" /> : null}
      {first && last ? (
        <Box part="signUp-nameRow">
          <SignUpInput field={first} env={env} />
          <SignUpInput field={last} env={env} />
        </Box>
      ) : null}
      {shown
        .filter((f) => !(first && last && (f === first || f === last)))
        .map((field) => (
          <SignUpInput key={field.name} field={field} env={env} />
        ))}
      <Submit part="signUp-submit">{t.continue}</Submit>
      {step === "start" ? <SocialSection component="signUp" position="bottom" /> : null}
    </SignUpStepView>
  );
}

function SignUpInput({ field, env }: { field: FlowField<SignUpField>; env: Environment }) {
  const t = useLocalization();
  const hint = field.required ? null : (
    <>
      {" "}
      <Box part="signUp-optional" render={<span />}>
        ({t.common.optional})
      </Box>
    </>
  );
  const common = { component: "signUp" as const, name: field.name, required: field.required, hint };
  switch (field.name) {
    case "first_name":
      return <TextField {...common} label={t.signUp.firstName} autoComplete="given-name" />;
    case "last_name":
      return <TextField {...common} label={t.signUp.lastName} autoComplete="family-name" />;
    case "username":
      return <TextField {...common} label={t.signUp.username} autoComplete="username" autoCapitalize="none" spellCheck={false} />;
    case "email_address":
      return <TextField {...common} label={t.signUp.emailAddress} type="email" autoComplete="email" spellCheck={false} />;
    case "phone_number":
      return <TextField {...common} label={t.signUp.phoneNumber} type="tel" autoComplete="tel" />;
    case "password":
      return <TextField {...common} label={t.signUp.password} type="password" autoComplete="new-password" minLength={env.password.min_length} maxLength={env.password.max_length} />;
    case "legal_accepted":
      return <CheckboxField component="signUp" name="legal_accepted" label={<LegalConsent />} required />;
    case "code":
      return null;
  }
}

function LegalConsent() {
  const t = useLocalization().signUp;
  const layout = useAppearance().layout;
  const Link = useSlot("Link");
  const linkPart = usePart("signUp-legalLink");
  const link = (href: string | undefined, text: string): ReactNode =>
    href ? (
      <Link {...linkPart} href={href} target="_blank" rel="noreferrer">
        {text}
      </Link>
    ) : (
      text
    );
  const parts = formatParts(t.legalConsent, { terms: link(layout?.termsPageUrl, t.terms), privacy: link(layout?.privacyPageUrl, t.privacy) });
  return (
    <>
      {parts.map((node, i) => (
        <Fragment key={i}>{node}</Fragment>
      ))}
    </>
  );
}

/** VerifyStep takes the mailed code ("verify_email_code") or waits for the link ("verify_email_link"). */
export function VerifyStep({ name, env }: { name: "verify_email_code" | "verify_email_link"; env: Environment }) {
  const t = useLocalization().signUp;
  const { values, back, resend, useStrategy: switchTo } = useSignUp();
  const other = name === "verify_email_code" ? "email_link" : "email_code";
  return (
    <SignUpStepView name={name} part="signUp-step">
      <Identity component="signUp" text={String(values.email_address)} change={t.changeEmailAddress} onChange={back} />
      {name === "verify_email_code" ? (
        <>
          <CodeField component="signUp" label={t.code} />
          <Submit part="signUp-submit">{t.continue}</Submit>
        </>
      ) : (
        <Box part="signUp-stepText" role="status" render={<p />}>
          {t.waitingForLink}
        </Box>
      )}
      <Box part="signUp-actions">
        <Secondary part="signUp-resend" onClick={() => void resend()}>
          {name === "verify_email_code" ? t.resendCode : t.resendLink}
        </Secondary>
        {env.sign_up.verifications.includes(other) ? (
          <Secondary part="signUp-switchStrategy" state={{ strategy: other }} onClick={() => void switchTo(other)}>
            {other === "email_link" ? t.useLink : t.useCode}
          </Secondary>
        ) : null}
      </Box>
    </SignUpStepView>
  );
}

export function CompleteStep() {
  const t = useLocalization().signUp;
  return (
    <SignUpStepView name="complete" part="signUp-step">
      <Box part="signUp-stepText" role="status" render={<p />}>
        {t.completeText}
      </Box>
    </SignUpStepView>
  );
}
