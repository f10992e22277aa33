// Form.Root: a form bound to values and errors kept elsewhere (a flow of
// @latchkey/js, or a component's state). Field, Label, Input, OtpInput,
// FieldError, GlobalError and Action inside it find their value, error and
// busy state through its context, by field name.

import { createContext, useContext, useEffect, useId, useMemo, useRef, type FormEvent, type FormHTMLAttributes, type ReactNode, type Ref, type RefObject } from "react";
import type { PartName } from "../parts/registry";
import { usePartProps } from "./part-props";
import { mergeRefs, renderElement, type RenderProp } from "./render";
import { UsageError } from "../usage-error";

/** FormError is an error to show: LatchkeyError fits, and so does { code, message }. */
export interface FormError {
  code: string;
  message: string;
  longMessage?: string | undefined;
}

/** FormErrors are a form's errors: per field, and the rest (global). */
export interface FormErrors {
  global: FormError[];
  fields: Record<string, FormError | undefined>;
}

export type FormValue = string | boolean;

export interface FormContextValue {
  /** The prefix of the IDs of the form's inputs and errors. */
  id: string;
  values: Record<string, FormValue | undefined>;
  errors: FormErrors;
  busy: boolean;
  setValue(name: string, value: FormValue): void;
  /** Submit the form as if its submit button were pressed (ignored while busy). */
  requestSubmit(): void;
}

const noErrors: FormErrors = { global: [], fields: {} };

export const FormContext = createContext<FormContextValue | null>(null);

/** useForm returns the enclosing Form.Root's context, or throws form_root_missing. */
export function useForm(): FormContextValue {
  const form = useContext(FormContext);
  if (!form) throw new UsageError("form_root_missing", "fields and inputs must be inside <Form.Root>, <SignIn.Root> or <SignUp.Root>");
  return form;
}

export interface FormRootProps extends Omit<FormHTMLAttributes<HTMLFormElement>, "onSubmit" | "children"> {
  values: Record<string, FormValue | undefined>;
  errors?: FormErrors | undefined;
  /** A request is in flight: submitting is ignored. */
  busy?: boolean | undefined;
  onValueChange: (name: string, value: FormValue) => void;
  onSubmit: () => void;
  part?: PartName | undefined;
  render?: RenderProp<FormHTMLAttributes<HTMLFormElement> & { ref: Ref<HTMLFormElement> }> | undefined;
  ref?: Ref<HTMLFormElement>;
  children?: ReactNode;
}

function FormRoot({ values, errors = noErrors, busy = false, onValueChange, onSubmit, part, render, ref, children, ...rest }: FormRootProps) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const context = useMemo<FormContextValue>(
    () => ({
      id,
      values,
      errors,
      busy,
      setValue: onValueChange,
      requestSubmit: () => {
        if (!busy) formRef.current?.requestSubmit();
      },
    }),
    [id, values, errors, busy, onValueChange],
  );
  useFocusFirstInvalid(formRef, errors);
  const partProps = usePartProps(part, { busy }, rest);
  return (
    <FormContext.Provider value={context}>
      {renderElement(
        "form",
        {
          ...rest,
          ...partProps,
          ref: mergeRefs(formRef, ref),
          noValidate: true,
          "aria-busy": busy || undefined,
          onSubmit: (event: FormEvent<HTMLFormElement>) => {
            event.preventDefault();
            if (!busy) onSubmit();
          },
          children,
        },
        render,
      )}
    </FormContext.Provider>
  );
}

// useFocusFirstInvalid moves focus to the first invalid input when a new set
// of field errors arrives, so keyboard and screen-reader users land on it.
function useFocusFirstInvalid(formRef: RefObject<HTMLFormElement | null>, errors: FormErrors) {
  const key = Object.entries(errors.fields)
    .filter(([, e]) => e)
    .map(([name, e]) => `${name}:${e?.code}`)
    .join(",");
  useEffect(() => {
    if (!key) return;
    const form = formRef.current;
    if (!form || (form.contains(document.activeElement) && document.activeElement?.getAttribute("aria-invalid") === "true")) return;
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [key, formRef]);
}

/** Form holds the generic form primitive: <Form.Root>. */
export const Form = { Root: FormRoot };
