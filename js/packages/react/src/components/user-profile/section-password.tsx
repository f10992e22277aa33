// The Password section: set a password, or change it (the current one is
// asked when there is one). Other devices are signed out by default, as the
// server does; this one stays signed in.

import { useState } from "react";
import type { User } from "@latchkey/js";
import { useLatchkey } from "../../hooks";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { Form } from "../../primitives/form";
import { GlobalError } from "../../primitives/global-error";
import { usePart } from "../../styling/use-part";
import { ButtonAction, CheckboxField, FormActions, TextField } from "./controls";
import { Notice, Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";
import { useMeForm } from "./use-me-form";

export function PasswordSection({ user }: SectionProps) {
  const t = useLocalization().userProfile.password;
  const edit = useDisclosure();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Section id="password" title={t.title}>
      <Box part="userProfile-passwordStatus" state={{ set: user.password_enabled }} render={<p />}>
        {user.password_enabled ? t.isSet : t.notSet}
      </Box>
      {edit.open ? (
        <PasswordForm
          user={user}
          onCancel={() => edit.hide()}
          onSaved={() => {
            setNotice(t.updated);
            edit.hide();
          }}
        />
      ) : (
        <ButtonAction
          part="userProfile-passwordEdit"
          ref={edit.triggerRef}
          onClick={() => {
            setNotice(null);
            edit.show();
          }}
        >
          {user.password_enabled ? t.change : t.set}
        </ButtonAction>
      )}
      <Notice text={notice} />
    </Section>
  );
}

function PasswordForm({ user, onCancel, onSaved }: { user: User; onCancel: () => void; onSaved: () => void }) {
  const t = useLocalization().userProfile;
  const client = useLatchkey();
  const hasPassword = user.password_enabled;
  const initial: Record<string, string | boolean> = { new_password: "", sign_out_of_other_sessions: true };
  if (hasPassword) initial.current_password = "";
  const form = useMeForm(initial);
  const submit = () =>
    void form
      .run(async (values) => {
        const change: Parameters<typeof client.me.changePassword>[0] = {
          newPassword: String(values.new_password),
          signOutOfOtherSessions: values.sign_out_of_other_sessions === true,
        };
        if (hasPassword) change.currentPassword = String(values.current_password);
        await client.me.changePassword(change);
      })
      .then((ok) => {
        if (ok) onSaved();
      });
  return (
    <Form.Root part="userProfile-form" data-form="password" values={form.values} errors={form.errors} busy={form.busy} onValueChange={form.setValue} onSubmit={submit}>
      <AccountName user={user} />
      <GlobalError part="userProfile-globalError" />
      {hasPassword ? <TextField name="current_password" label={t.password.currentPassword} type="password" autoComplete="current-password" autoFocus required /> : null}
      <TextField name="new_password" label={t.password.newPassword} type="password" autoComplete="new-password" autoFocus={!hasPassword} required />
      <CheckboxField name="sign_out_of_other_sessions" label={t.password.signOutOfOtherSessions} />
      <FormActions submit={t.save} onCancel={onCancel} />
    </Form.Root>
  );
}

// AccountName tells password managers which account the new password is
// for (what the user signs in with): a read-only, hidden username field, as
// browsers recommend.
function AccountName({ user }: { user: User }) {
  const props = usePart("userProfile-passwordUsername");
  const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address;
  const value = primary ?? user.username ?? "";
  return <input {...props} type="text" name="username" autoComplete="username" value={value} readOnly hidden tabIndex={-1} aria-hidden="true" />;
}
