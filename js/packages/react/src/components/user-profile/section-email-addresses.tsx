// The Email addresses section: the user's addresses with their "Primary"
// and "Unverified" badges; add one (the code is mailed at once and typed
// here), verify, make primary, remove after confirmation. Each answer of
// /v1/me carries the client, so the list follows the client's state.

import { useState } from "react";
import type { EmailAddress, User } from "@latchkey/js";
import { useLatchkey } from "../../hooks";
import { format } from "../../localization/format";
import { errorMessage, useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { Form, type FormErrors } from "../../primitives/form";
import { GlobalError } from "../../primitives/global-error";
import { Confirm } from "./confirm";
import { ButtonAction, CodeField, FormActions, SubmitAction, TextField } from "./controls";
import { Notice, Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";
import { formErrors, useMeForm } from "./use-me-form";

export function EmailAddressesSection({ user, environment }: SectionProps) {
  const t = useLocalization().userProfile.emailAddresses;
  const add = useDisclosure();
  const [notice, setNotice] = useState<string | null>(null);
  // The address whose code was sent and is being typed, with the error of sending it, if any.
  const [verifying, setVerifying] = useState<{ id: string; sendError: FormErrors | null } | null>(null);
  const done = (text: string) => {
    setNotice(text);
    setVerifying(null);
    add.triggerRef.current?.focus();
  };
  return (
    <Section id="emailAddresses" title={t.title}>
      <Box part="userProfile-emailList" render={<ul />}>
        {primaryFirst(user).map((email) => (
          <EmailItem
            key={email.id}
            email={email}
            primary={email.id === user.primary_email_address_id}
            verifying={verifying?.id === email.id ? verifying : null}
            onNotice={setNotice}
            onVerifyStart={(sendError) => setVerifying({ id: email.id, sendError })}
            onVerifyEnd={(verified) => (verified ? done(format(t.verified, { emailAddress: email.email_address })) : setVerifying(null))}
            onRemoved={() => done(format(t.removed, { emailAddress: email.email_address }))}
          />
        ))}
      </Box>
      {!environment.identifiers.email_address.enabled ? null : add.open ? (
        <AddEmailForm
          onCancel={() => add.hide()}
          onCreated={(id, sendError) => {
            // Focus goes to the code input of the new address, not back to "Add email address".
            add.hide(false);
            setVerifying({ id, sendError });
          }}
        />
      ) : (
        <ButtonAction
          part="userProfile-emailAdd"
          ref={add.triggerRef}
          onClick={() => {
            setNotice(null);
            add.show();
          }}
        >
          {t.add}
        </ButtonAction>
      )}
      <Notice text={notice} />
    </Section>
  );
}

function primaryFirst(user: User): EmailAddress[] {
  const primary = user.email_addresses.filter((e) => e.id === user.primary_email_address_id);
  return [...primary, ...user.email_addresses.filter((e) => e.id !== user.primary_email_address_id)];
}

interface EmailItemProps {
  email: EmailAddress;
  primary: boolean;
  verifying: { sendError: FormErrors | null } | null;
  onNotice: (text: string | null) => void;
  onVerifyStart: (sendError: FormErrors | null) => void;
  onVerifyEnd: (verified: boolean) => void;
  onRemoved: () => void;
}

function EmailItem({ email, primary, verifying, onNotice, onVerifyStart, onVerifyEnd, onRemoved }: EmailItemProps) {
  const l = useLocalization();
  const t = l.userProfile.emailAddresses;
  const client = useLatchkey();
  const remove = useDisclosure();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verified = email.verification?.status === "verified";
  const params = { emailAddress: email.email_address };

  const act = async (action: () => Promise<unknown>, notice: string | null) => {
    setBusy(true);
    setError(null);
    onNotice(null);
    try {
      await action();
      if (notice) onNotice(notice);
      return true;
    } catch (e) {
      const shown = formErrors(e, [], l.errors.internal_error).global[0];
      setError(shown ? errorMessage(l, shown) : null);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box part="userProfile-emailItem" state={{ primary, verified, busy }} render={<li />}>
      <Box part="userProfile-emailAddress" render={<span />}>
        {email.email_address}
      </Box>
      {primary ? (
        <Box part="userProfile-badge" state={{ variant: "primary" }} render={<span />}>
          {t.primary}
        </Box>
      ) : null}
      {verified ? null : (
        <Box part="userProfile-badge" state={{ variant: "unverified" }} render={<span />}>
          {t.unverified}
        </Box>
      )}
      <Box part="userProfile-emailActions" role="group" aria-label={format(t.actions, params)}>
        {!verified && !verifying ? (
          <ButtonAction
            part="userProfile-emailVerify"
            disabled={busy}
            onClick={async () => {
              // A failed send still opens the form: its error shows there, with "Resend code".
              let sendError: FormErrors | null = null;
              await act(async () => {
                try {
                  await client.me.prepareEmailVerification(email.id);
                } catch (e) {
                  sendError = formErrors(e, [], l.errors.internal_error);
                }
              }, null);
              onVerifyStart(sendError);
            }}
          >
            {t.verify}
          </ButtonAction>
        ) : null}
        {verified && !primary ? (
          <ButtonAction part="userProfile-emailMakePrimary" disabled={busy} onClick={() => void act(() => client.me.makePrimaryEmailAddress(email.id), format(t.madePrimary, params))}>
            {t.makePrimary}
          </ButtonAction>
        ) : null}
        {primary ? null : (
          <ButtonAction part="userProfile-emailRemove" ref={remove.triggerRef} disabled={busy || remove.open} onClick={remove.show}>
            {t.remove}
          </ButtonAction>
        )}
      </Box>
      {error ? (
        <Box part="userProfile-globalError" role="alert">
          {error}
        </Box>
      ) : null}
      {remove.open ? (
        <Confirm
          text={format(t.removeConfirm, params)}
          confirm={t.remove}
          onConfirm={() => client.me.deleteEmailAddress(email.id)}
          onDone={onRemoved}
          onCancel={() => remove.hide()}
        />
      ) : null}
      {verifying ? <VerifyEmailForm email={email} sendError={verifying.sendError} onDone={onVerifyEnd} /> : null}
    </Box>
  );
}

function AddEmailForm({ onCreated, onCancel }: { onCreated: (id: string, sendError: FormErrors | null) => void; onCancel: () => void }) {
  const l = useLocalization();
  const t = l.userProfile.emailAddresses;
  const client = useLatchkey();
  const form = useMeForm({ email_address: "" });
  const submit = async () => {
    // Once the address exists, a failure to send its code is shown on the
    // verification form (which can resend), not here (the address is taken now).
    const result: { id: string | null; sendError: FormErrors | null } = { id: null, sendError: null };
    await form.run(async (values) => {
      const email = await client.me.createEmailAddress(String(values.email_address).trim());
      result.id = email.id;
      try {
        await client.me.prepareEmailVerification(email.id);
      } catch (e) {
        result.sendError = formErrors(e, [], l.errors.internal_error);
      }
    });
    if (result.id) onCreated(result.id, result.sendError);
  };
  return (
    <Form.Root part="userProfile-form" data-form="addEmailAddress" values={form.values} errors={form.errors} busy={form.busy} onValueChange={form.setValue} onSubmit={() => void submit()}>
      <GlobalError part="userProfile-globalError" />
      <TextField name="email_address" label={t.emailAddress} type="email" inputMode="email" autoComplete="email" autoCapitalize="none" spellCheck={false} autoFocus required />
      <FormActions submit={t.addSubmit} onCancel={onCancel} />
    </Form.Root>
  );
}

function VerifyEmailForm({ email, sendError, onDone }: { email: EmailAddress; sendError: FormErrors | null; onDone: (verified: boolean) => void }) {
  const l = useLocalization();
  const t = l.userProfile.emailAddresses;
  const client = useLatchkey();
  const form = useMeForm({ code: "" }, sendError);
  const [resent, setResent] = useState(false);
  const submit = () =>
    void form.run((values) => client.me.attemptEmailVerification(email.id, String(values.code)).then(() => undefined)).then((ok) => {
      if (ok) onDone(true);
    });
  const resend = () => {
    setResent(false);
    void form.run(() => client.me.prepareEmailVerification(email.id).then(() => undefined)).then(setResent);
  };
  return (
    <Form.Root part="userProfile-form" data-form="verifyEmailAddress" values={form.values} errors={form.errors} busy={form.busy} onValueChange={form.setValue} onSubmit={submit}>
      <Box part="userProfile-verifyText" render={<p />}>
        {format(t.verifyText, { emailAddress: email.email_address })}
      </Box>
      <GlobalError part="userProfile-globalError" />
      <CodeField label={t.code} />
      <Box part="userProfile-actions">
        <SubmitAction part="userProfile-submit">{t.verifySubmit}</SubmitAction>
        <ButtonAction part="userProfile-resend" onClick={resend}>
          {t.resend}
        </ButtonAction>
        <ButtonAction part="userProfile-cancel" onClick={() => onDone(false)}>
          {l.userProfile.cancel}
        </ButtonAction>
      </Box>
      <Notice text={resent ? format(t.resent, { emailAddress: email.email_address }) : null} />
    </Form.Root>
  );
}
