// Input binds an <input> to its field: value (or checked for checkboxes),
// change, id, name, aria-invalid, aria-describedby and a sensible
// autocomplete for the field name, so password managers fill it.

import type { ChangeEvent, InputHTMLAttributes, Ref } from "react";
import type { PartName } from "../parts/registry";
import { useFieldControl } from "./field";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

type InputElementProps = InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> };

export interface InputPrimitiveProps extends Omit<InputElementProps, "value" | "checked" | "defaultValue" | "defaultChecked"> {
  /** The field bound, when not inside a <Field>. */
  name?: string | undefined;
  part?: PartName | undefined;
  render?: RenderProp<InputElementProps> | undefined;
}

/** autocompleteFor is the autocomplete value of a field name known to Latchkey's forms. */
export const autocompleteFor: Readonly<Record<string, string>> = {
  identifier: "username",
  username: "username",
  email_address: "email",
  phone_number: "tel",
  password: "current-password",
  new_password: "new-password",
  code: "one-time-code",
  first_name: "given-name",
  last_name: "family-name",
};

/** Input is its field's input; data-invalid marks an error. */
export function Input({ name, part, render, type = "text", ...rest }: InputPrimitiveProps) {
  const control = useFieldControl(name);
  const invalid = control.error !== undefined;
  const props = usePartProps(part, { invalid, field: control.name }, rest);
  const describedBy = [rest["aria-describedby"], invalid ? control.errorId : undefined].filter(Boolean).join(" ") || undefined;
  const checkbox = type === "checkbox" || type === "radio";
  const binding = checkbox
    ? {
        checked: control.value === true,
        onChange: (e: ChangeEvent<HTMLInputElement>) => {
          rest.onChange?.(e);
          control.setValue(e.target.checked);
        },
      }
    : {
        value: typeof control.value === "string" ? control.value : "",
        onChange: (e: ChangeEvent<HTMLInputElement>) => {
          rest.onChange?.(e);
          control.setValue(e.target.value);
        },
      };
  const autoComplete = rest.autoComplete ?? (checkbox ? undefined : autocompleteFor[control.name]);
  return renderElement(
    "input",
    {
      ...rest,
      ...props,
      ...binding,
      type,
      id: rest.id ?? control.inputId,
      name: control.name,
      autoComplete,
      "aria-invalid": invalid || undefined,
      "aria-describedby": describedBy,
    },
    render,
  );
}
