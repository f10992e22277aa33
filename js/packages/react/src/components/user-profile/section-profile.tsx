// The Profile section: the avatar (upload, remove), the name and the
// username, and the form that edits them (PATCH /v1/me). @latchkey/js puts
// the answer in the client's state, so every component showing the user,
// <UserButton /> in a header included, updates at once.

import { useRef, useState, type ChangeEvent } from "react";
import type { User } from "@latchkey/js";
import { useLatchkey } from "../../hooks";
import { errorMessage, useLocalization } from "../../localization/use-localization";
import { Avatar } from "../../primitives/avatar";
import { Box } from "../../primitives/box";
import { Form } from "../../primitives/form";
import { GlobalError } from "../../primitives/global-error";
import { usePart } from "../../styling/use-part";
import { ButtonAction, FormActions, TextField } from "./controls";
import { Notice, Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";
import { formErrors, useMeForm } from "./use-me-form";

export function ProfileSection({ user, environment }: SectionProps) {
  const t = useLocalization().userProfile;
  const edit = useDisclosure();
  const [notice, setNotice] = useState<string | null>(null);
  const fullName = [user.first_name, user.last_name].filter(Boolean).join(" ");
  const showUsername = environment.identifiers.username.enabled;
  return (
    <Section id="profile" title={t.profile.title}>
      <Box part="userProfile-profileSummary">
        <Avatar user={user} part="userProfile-avatar" alt="" />
        <Box part="userProfile-profileText">
          <Box part="userProfile-profileName" state={{ empty: !fullName }} render={<p />}>
            {fullName || t.profile.noName}
          </Box>
          {showUsername && user.username ? (
            <Box part="userProfile-profileUsername" render={<p />}>
              {user.username}
            </Box>
          ) : null}
        </Box>
        {edit.open ? null : (
          <ButtonAction
            part="userProfile-profileEdit"
            ref={edit.triggerRef}
            onClick={() => {
              setNotice(null);
              edit.show();
            }}
          >
            {t.profile.edit}
          </ButtonAction>
        )}
      </Box>
      <ImageControls user={user} onChanged={setNotice} />
      {edit.open ? (
        <ProfileForm
          user={user}
          showUsername={showUsername}
          onCancel={() => edit.hide()}
          onSaved={() => {
            setNotice(t.profile.updated);
            edit.hide();
          }}
        />
      ) : null}
      <Notice text={notice} />
    </Section>
  );
}

function ProfileForm({ user, showUsername, onCancel, onSaved }: { user: User; showUsername: boolean; onCancel: () => void; onSaved: () => void }) {
  const t = useLocalization().userProfile;
  const client = useLatchkey();
  const initial: Record<string, string> = { first_name: user.first_name ?? "", last_name: user.last_name ?? "" };
  if (showUsername) initial.username = user.username ?? "";
  const form = useMeForm(initial);
  const submit = () =>
    void form
      .run(async (values) => {
        // Only what changed is sent: "" removes a name, a missing field is kept.
        const changes: Record<string, string> = {};
        for (const [name, value] of Object.entries(values)) {
          if (typeof value === "string" && value.trim() !== (initial[name] ?? "")) changes[name] = value.trim();
        }
        if (Object.keys(changes).length > 0) await client.me.update(changes);
      })
      .then((ok) => {
        if (ok) onSaved();
      });
  return (
    <Form.Root part="userProfile-form" data-form="profile" values={form.values} errors={form.errors} busy={form.busy} onValueChange={form.setValue} onSubmit={submit}>
      <GlobalError part="userProfile-globalError" />
      <TextField name="first_name" label={t.profile.firstName} autoComplete="given-name" autoFocus />
      <TextField name="last_name" label={t.profile.lastName} autoComplete="family-name" />
      {showUsername ? <TextField name="username" label={t.profile.username} autoComplete="username" autoCapitalize="none" spellCheck={false} /> : null}
      <FormActions submit={t.save} onCancel={onCancel} />
    </Form.Root>
  );
}

// The picture's types the server takes (it checks the bytes, not this list).
const imageTypes = "image/png,image/jpeg,image/gif,image/webp";

function ImageControls({ user, onChanged }: { user: User; onChanged: (notice: string | null) => void }) {
  const t = useLocalization();
  const client = useLatchkey();
  const fileRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileProps = usePart("userProfile-imageFile");

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    onChanged(null);
    try {
      await action();
      onChanged(done);
    } catch (e) {
      const shown = formErrors(e, [], t.errors.internal_error).global[0];
      setError(shown ? errorMessage(t, shown) : null);
    } finally {
      setBusy(false);
    }
  };

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (file) void run(() => client.me.setProfileImage(file), t.userProfile.profile.imageUpdated);
  };

  return (
    <Box part="userProfile-imageControls" state={{ busy }}>
      <input {...fileProps} ref={fileRef} type="file" accept={imageTypes} hidden tabIndex={-1} aria-hidden="true" onChange={onFile} />
      <ButtonAction part="userProfile-imageUpload" disabled={busy} onClick={() => fileRef.current?.click()}>
        {user.has_image ? t.userProfile.profile.replaceImage : t.userProfile.profile.uploadImage}
      </ButtonAction>
      {user.has_image ? (
        <ButtonAction part="userProfile-imageRemove" disabled={busy} onClick={() => void run(() => client.me.removeProfileImage(), t.userProfile.profile.imageRemoved)}>
          {t.userProfile.profile.removeImage}
        </ButtonAction>
      ) : null}
      {error ? (
        <Box part="userProfile-globalError" role="alert">
          {error}
        </Box>
      ) : null}
      <Box part="userProfile-imageHint" render={<p />}>
        {t.userProfile.profile.imageHint}
      </Box>
    </Box>
  );
}
