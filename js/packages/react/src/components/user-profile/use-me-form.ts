// useMeForm keeps the state of one <UserProfile /> form: values, errors by
// field, and whether its request is in flight. A failed request shows its
// error on the field the server named (meta.param_name) when the form has
// that field, else as the form's global error.

import { useCallback, useRef, useState } from "react";
import { isLatchkeyError } from "@latchkey/js";
import type { FormError, FormErrors, FormValue } from "../../primitives/form";
import { useLocalization } from "../../localization/use-localization";

export interface MeForm<F extends string> {
  values: Record<F, FormValue>;
  errors: FormErrors;
  busy: boolean;
  setValue: (name: string, value: FormValue) => void;
  /**
   * run performs action with the form busy and its errors cleared, and
   * reports whether it succeeded; a failure is shown, never thrown. Ignored
   * (false) while a request is in flight.
   */
  run: (action: (values: Record<F, FormValue>) => Promise<void>) => Promise<boolean>;
}

const noErrors: FormErrors = { global: [], fields: {} };

/** useMeForm starts with initial values and, when given, errors to show at once. */
export function useMeForm<F extends string>(initial: Record<F, FormValue>, initialErrors?: FormErrors | null): MeForm<F> {
  const t = useLocalization();
  // Set at once, not at the next render: a second submit in the same tick is ignored too.
  const inFlight = useRef(false);
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>(initialErrors ?? noErrors);
  const [busy, setBusy] = useState(false);

  const setValue = useCallback((name: string, value: FormValue) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => (e.fields[name] ? { global: e.global, fields: { ...e.fields, [name]: undefined } } : e));
  }, []);

  const run = async (action: (values: Record<F, FormValue>) => Promise<void>): Promise<boolean> => {
    if (inFlight.current) return false;
    inFlight.current = true;
    setBusy(true);
    setErrors(noErrors);
    try {
      await action(values);
      return true;
    } catch (error) {
      setErrors(formErrors(error, Object.keys(values), t.errors.internal_error));
      return false;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return { values, errors, busy, setValue, run };
}

/**
 * formErrors places error: on its field when the form has a field of that
 * name, else global. Anything that is not a LatchkeyError is a bug
 * somewhere; it is shown as "unexpected_error" with a generic message.
 */
export function formErrors(error: unknown, fields: string[], unexpected: string): FormErrors {
  const shown: FormError = isLatchkeyError(error)
    ? { code: error.code, message: error.message, longMessage: error.longMessage }
    : { code: "unexpected_error", message: unexpected };
  const field = isLatchkeyError(error) ? error.paramName : undefined;
  if (field && fields.includes(field)) return { global: [], fields: { [field]: shown } };
  return { global: [shown], fields: {} };
}
