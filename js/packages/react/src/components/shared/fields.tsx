// The fields of the flow cards, built from the primitives and the Input slot.

import type { InputHTMLAttributes, ReactNode } from "react";
import { Field, FieldError, Label } from "../../primitives/field";
import { Input } from "../../primitives/input";
import { OtpInput } from "../../primitives/otp-input";
import { useSlot } from "../../styling/slots";
import { part, type FormComponent } from "./parts";

type InputOptions = Pick<InputHTMLAttributes<HTMLInputElement>, "type" | "inputMode" | "autoComplete" | "required" | "autoCapitalize" | "spellCheck" | "minLength" | "maxLength">;

/** TextField is a labelled input with its error. */
export function TextField({ component, name, label, hint, ...input }: InputOptions & { component: FormComponent; name: string; label: string; hint?: ReactNode }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name={name} part={part(component, "field")}>
      <Label part={part(component, "label")}>
        {label}
        {hint}
      </Label>
      <Input {...input} part={part(component, "input")} aria-required={input.required || undefined} render={(props) => <InputSlot {...props} />} />
      <FieldError part={part(component, "fieldError")} />
    </Field>
  );
}

/** CheckboxField is a checkbox followed by its label, and its error. */
export function CheckboxField({ component, name, label, required }: { component: FormComponent; name: string; label: ReactNode; required?: boolean }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name={name} part={part(component, "checkboxField")}>
      <Input type="checkbox" part={part(component, "checkbox")} aria-required={required || undefined} render={(props) => <InputSlot {...props} />} />
      <Label part={part(component, "checkboxLabel")}>{label}</Label>
      <FieldError part={part(component, "fieldError")} />
    </Field>
  );
}

/** CodeField is the one-time code field; a full code submits the form. */
export function CodeField({ component, label }: { component: FormComponent; label: string }) {
  const InputSlot = useSlot("Input");
  return (
    <Field name="code" part={part(component, "field")}>
      <Label part={part(component, "label")}>{label}</Label>
      <OtpInput part={part(component, "otpInput")} render={(props) => <InputSlot {...props} />} />
      <FieldError part={part(component, "fieldError")} />
    </Field>
  );
}
