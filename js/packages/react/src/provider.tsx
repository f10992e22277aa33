// <LatchkeyProvider> owns the Latchkey client of the app and shares its
// state. Given the server's initialState, the server render and the first
// browser render show the same signed-in (or signed-out) UI: no flash, no
// hydration mismatch.

import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { Latchkey, type InitialState, type LatchkeyClient, type LatchkeyState } from "@latchkey/js";
import { LatchkeyContext } from "./context";
import { stateFromInitial } from "./initial-state";
import type { Localization } from "./localization/resources";
import { AppearanceScope, type Appearance } from "./styling/appearance";
import type { Slots } from "./styling/slots";

export interface LatchkeyProviderProps {
  /** Where the Frontend API is ("/__latchkey" by default, or "https://auth.example.com"). */
  frontendApi?: string;
  publishableKey?: string;
  /** What the server knew about the request (from @latchkey/nextjs). */
  initialState?: InitialState | null;
  /** The appearance of every component inside (each can add its own). */
  appearance?: Appearance;
  /** Slot components for every component inside. */
  components?: Partial<Slots>;
  /** Strings for every component inside: a locale (fr) or a few overrides. */
  localization?: Localization;
  /** A client made elsewhere (tests, several providers sharing one); the provider then does not destroy it. */
  client?: LatchkeyClient;
  children?: ReactNode;
}

/**
 * LatchkeyProvider creates one Latchkey client (read once: later changes to
 * frontendApi, publishableKey or client are ignored), loads it after the
 * first render, and provides its state to the hooks and components inside.
 */
export function LatchkeyProvider({ frontendApi, publishableKey, initialState, appearance, components, localization, client: given, children }: LatchkeyProviderProps) {
  const [client] = useState<LatchkeyClient>(() => given ?? createClient(frontendApi, publishableKey, initialState));
  const [serverState] = useState<LatchkeyState | null>(() => (initialState ? stateFromInitial(initialState) : null));

  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange), [client]);
  const getState = useCallback(() => client.getState(), [client]);
  const getServerState = useCallback(() => serverState ?? client.getState(), [client, serverState]);
  const state = useSyncExternalStore(subscribe, getState, getServerState);

  useClientLifecycle(client, given === undefined);

  const value = useMemo(() => ({ client, state }), [client, state]);
  return (
    <LatchkeyContext.Provider value={value}>
      <AppearanceScope appearance={appearance} components={components} localization={localization}>
        {children}
      </AppearanceScope>
    </LatchkeyContext.Provider>
  );
}

function createClient(frontendApi: string | undefined, publishableKey: string | undefined, initialState: InitialState | null | undefined): LatchkeyClient {
  const options: ConstructorParameters<typeof Latchkey>[0] = {};
  if (frontendApi !== undefined) options.frontendApi = frontendApi;
  if (publishableKey !== undefined) options.publishableKey = publishableKey;
  if (initialState) options.initialState = initialState;
  return new Latchkey(options);
}

// useClientLifecycle loads the client once mounted and, when the provider
// created it, destroys it on unmount. The destroy waits a microtask so that
// React's development double-mount (unmount, mount again at once) keeps it.
function useClientLifecycle(client: LatchkeyClient, owned: boolean) {
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    client.load().catch((error: unknown) => {
      console.error("@latchkey/react: loading the Latchkey client failed", error);
    });
    return () => {
      mounted.current = false;
      if (!owned) return;
      queueMicrotask(() => {
        if (!mounted.current) client.destroy();
      });
    };
  }, [client, owned]);
}
