// OtpInput is the input of a one-time code: one field (so paste, autofill
// from SMS or mail, and screen readers all work), digits only, at most
// length of them, and onComplete once all are typed.

import { useEffect, useRef, type ChangeEvent, type InputHTMLAttributes, type Ref } from "react";
import type { PartName } from "../parts/registry";
import { useFieldControl } from "./field";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

type InputElementProps = InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> };

export interface OtpInputProps extends Omit<InputElementProps, "value" | "defaultValue" | "type" | "maxLength"> {
  /** The field bound ("code"), when not inside a <Field>. */
  name?: string | undefined;
  /** Number of digits (default 6). */
  length?: number;
  /** Called once every digit is typed: by default the form is submitted. Pass null to not submit. */
  onComplete?: ((code: string) => void) | null;
  part?: PartName | undefined;
  render?: RenderProp<InputElementProps> | undefined;
}

/** OtpInput is a one-time-code input; data-complete marks a full code. */
export function OtpInput({ name, length = 6, onComplete, part, render, ...rest }: OtpInputProps) {
  const control = useFieldControl(name);
  const value = typeof control.value === "string" ? control.value : "";
  const invalid = control.error !== undefined;
  const props = usePartProps(part, { invalid, complete: value.length === length, length, field: control.name }, rest);
  const describedBy = [rest["aria-describedby"], invalid ? control.errorId : undefined].filter(Boolean).join(" ") || undefined;
  // Completion is acted on after the new value rendered, so a form
  // submitted by it sees the full code.
  const completed = useRef(false);
  useEffect(() => {
    if (!completed.current || value.length !== length) return;
    completed.current = false;
    if (onComplete === undefined) control.requestSubmit();
    else onComplete?.(value);
  });
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    rest.onChange?.(e);
    const code = e.target.value.replace(/\D/g, "").slice(0, length);
    control.setValue(code);
    completed.current = code.length === length && code !== value;
  };
  return renderElement(
    "input",
    {
      ...rest,
      ...props,
      type: "text",
      inputMode: "numeric",
      pattern: `[0-9]{${length}}`,
      maxLength: length,
      autoComplete: rest.autoComplete ?? "one-time-code",
      id: rest.id ?? control.inputId,
      name: control.name,
      value,
      onChange,
      "aria-invalid": invalid || undefined,
      "aria-describedby": describedBy,
    },
    render,
  );
}
