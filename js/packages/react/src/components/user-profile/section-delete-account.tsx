// The Delete account section (only when the instance lets users delete
// themselves): a danger zone whose form asks for a typed confirmation
// before DELETE /v1/me, then leaves for afterSignOutUrl.

import { useLatchkey } from "../../hooks";
import { format } from "../../localization/format";
import { useLocalization } from "../../localization/use-localization";
import { Form } from "../../primitives/form";
import { GlobalError } from "../../primitives/global-error";
import { ButtonAction, FormActions, TextField } from "./controls";
import { Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";
import { useMeForm } from "./use-me-form";

export function DeleteAccountSection({ afterSignOutUrl }: SectionProps) {
  const t = useLocalization().userProfile.deleteAccount;
  const start = useDisclosure();
  return (
    <Section id="deleteAccount" title={t.title} description={t.description}>
      {start.open ? (
        <DeleteForm afterSignOutUrl={afterSignOutUrl} onCancel={() => start.hide()} />
      ) : (
        <ButtonAction part="userProfile-deleteStart" data-variant="danger" ref={start.triggerRef} onClick={start.show}>
          {t.start}
        </ButtonAction>
      )}
    </Section>
  );
}

function DeleteForm({ afterSignOutUrl, onCancel }: { afterSignOutUrl: string; onCancel: () => void }) {
  const t = useLocalization().userProfile.deleteAccount;
  const client = useLatchkey();
  const form = useMeForm({ confirmation: "" });
  const confirmed = String(form.values.confirmation).trim().toLocaleLowerCase() === t.phrase.toLocaleLowerCase();
  const submit = () => {
    if (!confirmed) return;
    void form
      .run(() => client.me.delete())
      .then((ok) => {
        if (ok) window.location.assign(afterSignOutUrl);
      });
  };
  return (
    <Form.Root part="userProfile-form" data-form="deleteAccount" values={form.values} errors={form.errors} busy={form.busy} onValueChange={form.setValue} onSubmit={submit}>
      <GlobalError part="userProfile-globalError" />
      <TextField name="confirmation" label={format(t.confirmLabel, { phrase: t.phrase })} autoComplete="off" autoCapitalize="none" spellCheck={false} autoFocus />
      <FormActions submit={t.submit} onCancel={onCancel} danger disabled={!confirmed} />
    </Form.Root>
  );
}
