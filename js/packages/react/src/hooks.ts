// The hooks an app reads auth state with. All of them need <LatchkeyProvider>.

import { useCallback, useContext, useMemo, type Context } from "react";
import type {
  FirstFactorStrategy,
  FlowOptions,
  LatchkeyClient,
  Session,
  SignInField,
  SignInFlow,
  SignInFlowState,
  SignUpField,
  SignUpFlow,
  SignUpFlowState,
  User,
} from "@latchkey/js";
import { hasAuthorization, type AuthorizationCheck } from "@latchkey/js";
import { useLatchkeyContext } from "./context";
import { SignInFlowContext, SignUpFlowContext, useFlowState, useOwnedFlow } from "./flows";

/** useLatchkey returns the provider's client, for anything the hooks do not cover. */
export function useLatchkey(): LatchkeyClient {
  return useLatchkeyContext().client;
}

export interface UseAuthResult {
  /** false until the client loaded (true at once when the server gave initialState). */
  isLoaded: boolean;
  isSignedIn: boolean;
  userId: string | null;
  sessionId: string | null;
  /** The session token (JWT) for your API, or null when signed out. */
  getToken: LatchkeyClient["getToken"];
  signOut: LatchkeyClient["signOut"];
  /** Whether the session's claims grant the role and/or permission. */
  has: (check: AuthorizationCheck) => boolean;
}

/** useAuth returns who is signed in and the functions to act as them. */
export function useAuth(): UseAuthResult {
  const { client, state } = useLatchkeyContext();
  const getToken = useCallback<LatchkeyClient["getToken"]>((opts) => client.getToken(opts), [client]);
  const signOut = useCallback<LatchkeyClient["signOut"]>((opts) => client.signOut(opts), [client]);
  const has = useCallback((check: AuthorizationCheck) => state.isSignedIn && hasAuthorization(state.claims, check), [state.isSignedIn, state.claims]);
  return {
    isLoaded: state.loaded,
    isSignedIn: state.isSignedIn,
    userId: state.userId,
    sessionId: state.sessionId,
    getToken,
    signOut,
    has,
  };
}

/** useUser returns the signed-in user, or null. */
export function useUser(): { isLoaded: boolean; isSignedIn: boolean; user: User | null } {
  const { state } = useLatchkeyContext();
  return { isLoaded: state.loaded, isSignedIn: state.isSignedIn, user: state.user };
}

/** useSession returns the active session, or null (also null in a server render, which knows only its ID). */
export function useSession(): { isLoaded: boolean; isSignedIn: boolean; session: Session | null } {
  const { state } = useLatchkeyContext();
  return { isLoaded: state.loaded, isSignedIn: state.isSignedIn, session: state.session };
}

/** useSessionList returns the usable sessions of this browser and switches between them. */
export function useSessionList(): { isLoaded: boolean; sessions: Session[]; setActive: (sessionId: string) => Promise<void> } {
  const { client, state } = useLatchkeyContext();
  const setActive = useCallback((sessionId: string) => client.setActive(sessionId), [client]);
  return { isLoaded: state.loaded, sessions: state.sessions, setActive };
}

/** UseSignInResult is the sign-in flow's state and actions. */
export interface UseSignInResult extends SignInFlowState {
  flow: SignInFlow;
  setField: (name: SignInField, value: string | boolean) => void;
  back: () => void;
  reset: () => void;
  submitIdentifier: () => Promise<void>;
  submitPassword: () => Promise<void>;
  chooseStrategy: (strategy: FirstFactorStrategy) => Promise<void>;
  showStrategies: () => void;
  submitCode: () => Promise<void>;
  resend: () => Promise<void>;
  forgotPassword: () => void;
  submitNewPassword: () => Promise<void>;
}

/**
 * useSignIn returns the sign-in flow of the enclosing <SignIn.Root>, or a
 * flow of its own (created once, with options) when there is none.
 */
export function useSignIn(options?: FlowOptions): UseSignInResult {
  const flow = useFlow(SignInFlowContext, (client) => client.signInFlow(options), "sign_in_root_missing");
  const state = useFlowState(flow);
  const actions = useMemo(
    () => ({
      flow,
      setField: (name: SignInField, value: string | boolean) => flow.setField(name, value),
      back: () => flow.back(),
      reset: () => flow.reset(),
      submitIdentifier: () => flow.submitIdentifier(),
      submitPassword: () => flow.submitPassword(),
      chooseStrategy: (strategy: FirstFactorStrategy) => flow.chooseStrategy(strategy),
      showStrategies: () => flow.showStrategies(),
      submitCode: () => flow.submitCode(),
      resend: () => flow.resend(),
      forgotPassword: () => flow.forgotPassword(),
      submitNewPassword: () => flow.submitNewPassword(),
    }),
    [flow],
  );
  return { ...state, ...actions };
}

/** UseSignUpResult is the sign-up flow's state and actions. */
export interface UseSignUpResult extends SignUpFlowState {
  flow: SignUpFlow;
  setField: (name: SignUpField, value: string | boolean) => void;
  back: () => void;
  reset: () => void;
  submit: () => Promise<void>;
  submitCode: () => Promise<void>;
  resend: () => Promise<void>;
  useStrategy: (strategy: "email_code" | "email_link") => Promise<void>;
}

/** useSignUp returns the sign-up flow of the enclosing <SignUp.Root>, or a flow of its own. */
export function useSignUp(options?: FlowOptions): UseSignUpResult {
  const flow = useFlow(SignUpFlowContext, (client) => client.signUpFlow(options), "sign_up_root_missing");
  const state = useFlowState(flow);
  const actions = useMemo(
    () => ({
      flow,
      setField: (name: SignUpField, value: string | boolean) => flow.setField(name, value),
      back: () => flow.back(),
      reset: () => flow.reset(),
      submit: () => flow.submit(),
      submitCode: () => flow.submitCode(),
      resend: () => flow.resend(),
      useStrategy: (strategy: "email_code" | "email_link") => flow.useStrategy(strategy),
    }),
    [flow],
  );
  return { ...state, ...actions };
}

// useFlow returns the flow of the enclosing root, else one made once for this component.
function useFlow<F extends { destroy(): void }>(context: Context<F | null>, create: (client: LatchkeyClient) => F, missing: "sign_in_root_missing" | "sign_up_root_missing"): F {
  const enclosing = useContext(context);
  const client = useLatchkey();
  return useOwnedFlow(enclosing, () => create(client), missing);
}
