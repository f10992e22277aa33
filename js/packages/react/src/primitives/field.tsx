// Field, Label and FieldError: one form field's wrapper, its label and its
// error message, tied together by IDs derived from the form and field name
// so the input is labelled and described without any wiring by the app.

import { createContext, useContext, type HTMLAttributes, type LabelHTMLAttributes, type ReactNode, type Ref } from "react";
import type { PartName } from "../parts/registry";
import { errorMessage, useLocalization } from "../localization/use-localization";
import { UsageError } from "../usage-error";
import { useForm, type FormError, type FormValue } from "./form";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

const FieldContext = createContext<string | null>(null);

/** FieldControl is what an input needs to bind itself to its field. */
export interface FieldControl {
  name: string;
  inputId: string;
  errorId: string;
  value: FormValue | undefined;
  error: FormError | undefined;
  busy: boolean;
  setValue(value: FormValue): void;
  requestSubmit(): void;
}

/** useFieldControl binds to the field name (given, or the enclosing Field's) of the enclosing form. */
export function useFieldControl(name?: string): FieldControl {
  const form = useForm();
  const enclosing = useContext(FieldContext);
  const fieldName = name ?? enclosing;
  if (!fieldName) throw new UsageError("field_missing", "inputs, labels and field errors need a name or an enclosing <Field name>");
  const inputId = `${form.id}-${fieldName}`;
  return {
    name: fieldName,
    inputId,
    errorId: `${inputId}-error`,
    value: form.values[fieldName],
    error: form.errors.fields[fieldName],
    busy: form.busy,
    setValue: (value) => form.setValue(fieldName, value),
    requestSubmit: form.requestSubmit,
  };
}

type DivProps = HTMLAttributes<HTMLDivElement> & { ref?: Ref<HTMLDivElement> };

export interface FieldProps extends DivProps {
  /** The field's name in the form's values ("identifier", "password"). */
  name: string;
  part?: PartName | undefined;
  render?: RenderProp<DivProps> | undefined;
  children?: ReactNode;
}

/** Field groups a label, an input and an error; data-field names it and data-invalid marks an error. */
export function Field({ name, part, render, children, ...rest }: FieldProps) {
  const control = useFieldControl(name);
  const props = usePartProps(part, { field: name, invalid: control.error !== undefined }, rest);
  return <FieldContext.Provider value={name}>{renderElement("div", { ...rest, ...props, children }, render)}</FieldContext.Provider>;
}

type LabelProps = LabelHTMLAttributes<HTMLLabelElement> & { ref?: Ref<HTMLLabelElement> };

export interface LabelPrimitiveProps extends LabelProps {
  /** The field labelled, when not inside a <Field>. */
  name?: string | undefined;
  part?: PartName | undefined;
  render?: RenderProp<LabelProps> | undefined;
}

/** Label labels its field's input. */
export function Label({ name, part, render, children, ...rest }: LabelPrimitiveProps) {
  const control = useFieldControl(name);
  const props = usePartProps(part, { invalid: control.error !== undefined }, rest);
  return renderElement("label", { ...rest, ...props, htmlFor: control.inputId, children }, render);
}

type ParagraphProps = HTMLAttributes<HTMLParagraphElement> & { ref?: Ref<HTMLParagraphElement> };

export interface FieldErrorProps extends ParagraphProps {
  name?: string | undefined;
  part?: PartName | undefined;
  render?: RenderProp<ParagraphProps> | undefined;
  /** Replaces the message; by default the localized message of the error's code. */
  children?: ReactNode;
}

/** FieldError shows its field's error, announced as it appears; nothing when there is none. */
export function FieldError({ name, part, render, children, ...rest }: FieldErrorProps) {
  const control = useFieldControl(name);
  const t = useLocalization();
  const props = usePartProps(part, { code: control.error?.code }, rest);
  if (!control.error) return null;
  return renderElement("p", { ...rest, ...props, id: control.errorId, role: "alert", children: children ?? errorMessage(t, control.error) }, render);
}
