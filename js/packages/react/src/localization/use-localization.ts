import { useContext } from "react";
import { ScopeContext } from "../styling/appearance";
import type { Resources } from "./resources";

/**
 * useLocalization returns every string in effect here: English, then the
 * provider's localization, then the component's (t.signIn.steps.password.title).
 */
export function useLocalization(): Resources {
  return useContext(ScopeContext).t;
}

/**
 * errorMessage is what to show for an error: the localized message of its
 * code, else the server's long message, else its message.
 */
export function errorMessage(t: Resources, error: { code: string; message: string; longMessage?: string | undefined }): string {
  const localized = (t.errors as Record<string, string | undefined>)[error.code];
  return localized ?? error.longMessage ?? error.message;
}
