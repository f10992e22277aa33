// The flow a <SignIn.Root> or <SignUp.Root> drives, shared with the hooks
// and primitives inside it.

import { createContext, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { SignInFlow, SignUpFlow } from "@latchkey/js";
import { UsageError } from "./usage-error";

export const SignInFlowContext = createContext<SignInFlow | null>(null);
export const SignUpFlowContext = createContext<SignUpFlow | null>(null);

/** Subscribable is the part of a flow useFlowState needs. */
export interface Subscribable<State> {
  getState(): State;
  subscribe(listener: (state: State) => void): () => void;
}

/** useFlowState subscribes to a flow and returns its current state. */
export function useFlowState<State>(flow: Subscribable<State>): State {
  const subscribe = useCallback((onChange: () => void) => flow.subscribe(onChange), [flow]);
  const getState = useCallback(() => flow.getState(), [flow]);
  return useSyncExternalStore(subscribe, getState, getState);
}

/**
 * useOwnedFlow returns given when set, else a flow made once by create and
 * destroyed when the component unmounts. The destroy waits a microtask so
 * React's development double-mount keeps the flow.
 */
export function useOwnedFlow<F extends { destroy(): void }>(given: F | null | undefined, create: () => F, missing: "sign_in_root_missing" | "sign_up_root_missing"): F {
  const [own] = useState<F | null>(() => (given ? null : create()));
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      queueMicrotask(() => {
        if (!mounted.current) own?.destroy();
      });
    };
  }, [own]);
  const flow = given ?? own;
  if (!flow) throw new UsageError(missing, "a component that made its own flow was later given one to use, or the reverse; give it a key to remount");
  return flow;
}
