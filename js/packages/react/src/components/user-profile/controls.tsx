// The form controls of <UserProfile />, built from the primitives and the
// Input, SubmitButton and Button slots, each carrying a userProfile part.

import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, Ref } from "react";
import type { PartName } from "../../parts/registry";
import { Action } from "../../primitives/action";
import { Field, FieldError, Label } from "../../primitives/field";
import { useForm } from "../../primitives/form";
import { Input } from "../../primitives/input";
import { OtpInput } from "../../primitives/otp-input";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { useSlot } from "../../styling/slots";

type InputOptions = Pick<InputHTMLAttributes<HTMLInputElement>, "type" | "inputMode" | "autoComplete" | "autoFocus" | "autoCapitalize" | "spellCheck" | "required">;

/** TextField is a labelled input bound to the enclosing form's field name, with its error. */
export function TextField({ name, label, ...input }: InputOptions & { name: string; label: string }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name={name} part="userProfile-field">
      <Label part="userProfile-label">{label}</Label>
      <Input {...input} part="userProfile-input" aria-required={input.required || undefined} render={(props) => <InputSlot {...props} />} />
      <FieldError part="userProfile-fieldError" />
    </Field>
  );
}

/** CheckboxField is a checkbox followed by its label. */
export function CheckboxField({ name, label }: { name: string; label: string }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name={name} part="userProfile-checkboxField">
      <Input type="checkbox" part="userProfile-checkbox" render={(props) => <InputSlot {...props} />} />
      <Label part="userProfile-checkboxLabel">{label}</Label>
      <FieldError part="userProfile-fieldError" />
    </Field>
  );
}

/** CodeField is the one-time code field ("code"); a complete code submits the form. */
export function CodeField({ label }: { label: string }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name="code" part="userProfile-field">
      <Label part="userProfile-label">{label}</Label>
      <OtpInput part="userProfile-otpInput" autoFocus render={(props) => <InputSlot {...props} />} />
      <FieldError part="userProfile-fieldError" />
    </Field>
  );
}

type ButtonOptions = Omit<ButtonHTMLAttributes<HTMLButtonElement>, "type" | "className" | "style"> & {
  part: PartName;
  ref?: Ref<HTMLButtonElement>;
  children: ReactNode;
};

/** SubmitAction is a form's submit button, through the SubmitButton slot (busy while the form is). */
export function SubmitAction({ part, children, ...button }: ButtonOptions) {
  const SubmitButton = useSlot("SubmitButton");
  const { busy } = useForm();
  return (
    <Action {...button} type="submit" part={part} render={(props) => <SubmitButton {...props} busy={busy} />}>
      {children}
    </Action>
  );
}

/** ButtonAction is any other button, through the Button slot. */
export function ButtonAction({ part, children, ...button }: ButtonOptions) {
  const Button = useSlot("Button");
  return (
    <Action {...button} part={part} render={(props) => <Button {...props} />}>
      {children}
    </Action>
  );
}

/** FormActions are a form's submit button and its "Cancel". */
export function FormActions({ submit, onCancel, danger = false, disabled = false }: { submit: string; onCancel: () => void; danger?: boolean; disabled?: boolean }) {
  const t = useLocalization().userProfile;
  return (
    <Box part="userProfile-actions">
      <SubmitAction part="userProfile-submit" data-variant={danger ? "danger" : undefined} disabled={disabled}>
        {submit}
      </SubmitAction>
      <ButtonAction part="userProfile-cancel" onClick={onCancel}>
        {t.cancel}
      </ButtonAction>
    </Box>
  );
}
