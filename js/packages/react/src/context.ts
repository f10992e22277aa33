import { createContext, useContext } from "react";
import type { LatchkeyClient, LatchkeyState } from "@latchkey/js";
import { UsageError } from "./usage-error";

/** LatchkeyContextValue is what <LatchkeyProvider> gives its children. */
export interface LatchkeyContextValue {
  client: LatchkeyClient;
  state: LatchkeyState;
}

export const LatchkeyContext = createContext<LatchkeyContextValue | null>(null);

/** useLatchkeyContext returns the provider's client and state, or throws provider_missing. */
export function useLatchkeyContext(): LatchkeyContextValue {
  const value = useContext(LatchkeyContext);
  if (!value) throw new UsageError("provider_missing", "wrap your app in <LatchkeyProvider> before using Latchkey hooks and components");
  return value;
}
