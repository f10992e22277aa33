// Confirm asks before a destructive action (remove an email address, sign a
// device out): a small form whose submit runs the action, with the action's
// error shown in place. Its submit button takes focus when it appears.

import { Form } from "../../primitives/form";
import { GlobalError } from "../../primitives/global-error";
import { Box } from "../../primitives/box";
import { useLocalization } from "../../localization/use-localization";
import { ButtonAction, SubmitAction } from "./controls";
import { useMeForm } from "./use-me-form";

export interface ConfirmProps {
  text: string;
  /** The confirming button's label ("Remove"). */
  confirm: string;
  /** The action; the confirmation closes itself only through onDone or onCancel. */
  onConfirm: () => Promise<void>;
  onDone: () => void;
  onCancel: () => void;
}

export function Confirm({ text, confirm, onConfirm, onDone, onCancel }: ConfirmProps) {
  const t = useLocalization().userProfile;
  const form = useMeForm({});
  return (
    <Form.Root
      part="userProfile-confirm"
      values={form.values}
      errors={form.errors}
      busy={form.busy}
      onValueChange={form.setValue}
      onSubmit={() => {
        void form.run(onConfirm).then((ok) => {
          if (ok) onDone();
        });
      }}
    >
      <Box part="userProfile-confirmText" render={<p />}>
        {text}
      </Box>
      <GlobalError part="userProfile-globalError" />
      <Box part="userProfile-actions">
        <SubmitAction part="userProfile-confirmSubmit" data-variant="danger" autoFocus>
          {confirm}
        </SubmitAction>
        <ButtonAction part="userProfile-cancel" onClick={onCancel}>
          {t.cancel}
        </ButtonAction>
      </Box>
    </Form.Root>
  );
}
