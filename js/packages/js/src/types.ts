// The public shape of @latchkey/js that the React and Next.js packages build
// on. The classes in latchkey.ts, sign_in_flow.ts and sign_up_flow.ts
// implement these interfaces; keep them in step.

import type {
  Client,
  Device,
  EmailAddress,
  Environment,
  ExternalAccount,
  FirstFactorStrategy,
  OAuthStrategy,
  Session,
  SignIn,
  SignUp,
  User,
} from "./resources";
import type { LatchkeyError } from "./errors";

export interface LatchkeyOptions {
  /**
   * Where the Frontend API is: "/__latchkey" (the app proxies Latchkey on its
   * own origin, the default) or "https://auth.example.com". "/v1" is added.
   */
  frontendApi?: string;
  publishableKey?: string;
  /** State rendered by the server, so the first render already knows the user. */
  initialState?: InitialState | null;
  /** For tests and non-browser hosts. Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Native apps that keep no cookies: where the client credential is kept.
   * Browsers leave this unset and use the HttpOnly cookie.
   */
  credentialStore?: CredentialStore;
  /** Start cross-tab sync (BroadcastChannel, Web Locks). Default true in browsers. */
  crossTab?: boolean;
  /**
   * Refresh the session token before it expires (a timer) and when the tab
   * regains focus, which also keeps the `__lk_session` cookie fresh for
   * server renders. Default true in browsers; elsewhere getToken() refreshes
   * on demand.
   */
  backgroundRefresh?: boolean;
  /**
   * How the browser is sent to a social provider's page. Defaults to
   * location.assign; tests and native hosts pass their own.
   */
  navigate?: (url: string) => void;
}

export interface CredentialStore {
  get(): string | null | Promise<string | null>;
  set(value: string): void | Promise<void>;
}

/**
 * What a server knows about the request: produced by @latchkey/nextjs and
 * passed to the provider. `user` and `session` may be null when signed out.
 */
export interface InitialState {
  userId: string | null;
  sessionId: string | null;
  user: User | null;
  /** The session token the server verified, if any (lets getToken() skip a round trip). */
  token?: string | null;
  /** Claims of the verified token (roles/permissions once organizations exist). */
  claims?: Record<string, unknown> | null;
}

/** A consistent snapshot; its identity changes only when something changed. */
export interface LatchkeyState {
  /** true once environment and client are loaded (or initialState was given). */
  loaded: boolean;
  environment: Environment | null;
  client: Client | null;
  /** The active session (client.last_active_session_id), with its user. */
  session: Session | null;
  user: User | null;
  /** Usable sessions on this client (multi-session). */
  sessions: Session[];
  isSignedIn: boolean;
  userId: string | null;
  sessionId: string | null;
  /** Claims of the latest token (for <Protect> by role/permission). */
  claims: Record<string, unknown> | null;
}

export type Listener = (state: LatchkeyState) => void;

export interface MeAPI {
  update(fields: {
    first_name?: string;
    last_name?: string;
    username?: string;
    unsafe_metadata?: Record<string, unknown>;
  }): Promise<User>;
  delete(): Promise<void>;
  createEmailAddress(emailAddress: string): Promise<EmailAddress>;
  prepareEmailVerification(id: string): Promise<EmailAddress>;
  attemptEmailVerification(id: string, code: string): Promise<EmailAddress>;
  makePrimaryEmailAddress(id: string): Promise<User>;
  deleteEmailAddress(id: string): Promise<void>;
  changePassword(p: {
    currentPassword?: string;
    newPassword: string;
    signOutOfOtherSessions?: boolean;
  }): Promise<User>;
  listSessions(): Promise<Device[]>;
  revokeSession(id: string): Promise<void>;
  /** Upload a new avatar (PNG, JPEG, GIF or WebP, at most 5 MiB), sent as multipart `file`. */
  setProfileImage(file: Blob): Promise<User>;
  /** Remove the uploaded avatar (back to initials). */
  removeProfileImage(): Promise<User>;
  /**
   * Connect a social account: POST /v1/me/external_accounts, then the browser
   * goes to the provider (the client's navigate), which leads back to
   * redirectUrl with `lk_status=verified` or `lk_error=<code>`. Requires a
   * recent sign-in (else a 403 `forbidden` error). Resolves with the
   * unverified account once the navigation started.
   */
  connectExternalAccount(strategy: OAuthStrategy, redirectUrl: string): Promise<ExternalAccount>;
  /** Disconnect a social account; refused (form_identifier_last_one) when it is the last way to sign in. */
  disconnectExternalAccount(id: string): Promise<void>;
}

export interface LatchkeyClient {
  readonly options: LatchkeyOptions;
  /** GET /v1/environment and /v1/client; resolves when loaded. Idempotent. */
  load(): Promise<void>;
  getState(): LatchkeyState;
  subscribe(listener: Listener): () => void;
  /**
   * The active session's JWT, from an in-memory cache refreshed 15 s before
   * expiry (clock-skew corrected with the server's Date header) and on tab
   * focus; one refresh at a time across tabs. null when signed out.
   */
  getToken(opts?: { skipCache?: boolean }): Promise<string | null>;
  /** Sign out of one session, or (no sessionId) the whole client; every tab follows. */
  signOut(opts?: { sessionId?: string }): Promise<void>;
  /** Switch the active session (multi-session). */
  setActive(sessionId: string): Promise<void>;
  /** Re-read the client (after a redirect back from a link, say). */
  reload(): Promise<void>;
  /** The user changed (profile edit): re-read /v1/me and notify. */
  reloadUser(): Promise<User | null>;
  me: MeAPI;
  /** A new sign-in flow state machine (resumes client.sign_in when present). */
  signInFlow(opts?: FlowOptions): SignInFlow;
  signUpFlow(opts?: FlowOptions): SignUpFlow;
  /** Stop timers, listeners and channels. */
  destroy(): void;
}

export interface FlowOptions {
  /** Absolute URL that mailed links come back to (defaults to location.href). */
  redirectUrl?: string;
  /**
   * Start by taking over the other flow's transferable attempt: a sign-up
   * flow creates the sign-up from the sign-in's social identity (no account
   * had it), a sign-in flow signs in the account a sign-up's identity
   * belongs to. See `transferable` in the flow states.
   */
  transfer?: boolean;
}

/** Per-field value and error; `global` holds errors without a param_name. */
export interface FlowErrors {
  global: LatchkeyError[];
  fields: Record<string, LatchkeyError | undefined>;
}

export interface Flow<Step extends string, Field extends string> {
  getState(): FlowState<Step, Field>;
  subscribe(listener: (s: FlowState<Step, Field>) => void): () => void;
  setField(name: Field, value: string | boolean): void;
  /** Go back one step (or to the start). */
  back(): void;
  reset(): void;
  /**
   * Stop polling and drop listeners. Polling (while a mailed link is awaited)
   * also runs only while the flow has subscribers, so a flow that is simply
   * forgotten after its last unsubscribe holds no timer.
   */
  destroy(): void;
}

/** A field a step shows, and whether it must be filled. */
export interface FlowField<Field extends string> {
  name: Field;
  required: boolean;
}

export interface FlowState<Step extends string, Field extends string> {
  step: Step;
  values: Record<Field, string | boolean>;
  errors: FlowErrors;
  /** A request is in flight; actions are ignored meanwhile. */
  busy: boolean;
  /** Set once the flow completed and the session is active. */
  createdSessionId: string | null;
}

export type SignInStep =
  | "identifier" // type email / username
  | "password" // enter password (with "use another method", "forgot password")
  | "choose_strategy" // list of other first factors
  | "email_code" // 6-digit code sent
  | "email_link" // link sent; polling until verified here or elsewhere
  | "forgot_password" // choose how to reset (code or link)
  | "reset_code" // reset code sent
  | "reset_link" // reset link sent
  | "new_password" // set a new password
  | "complete";

export type SignInField = "identifier" | "password" | "code" | "new_password" | "sign_out_of_other_sessions";

/** The sign-in flow's state, with what its steps show. */
export interface SignInFlowState extends FlowState<SignInStep, SignInField> {
  /** For "choose_strategy": the sign-in's other first factors (no password, no reset). */
  strategies: FirstFactorStrategy[];
  /** For "forgot_password" (and whether to offer it): the reset strategies on offer. */
  resetStrategies: FirstFactorStrategy[];
  /** Where the current code or link went, masked ("a***@example.com"), else null. */
  safeIdentifier: string | null;
  /**
   * The social identity this sign-in came back with has no account: a
   * sign-up flow made with `{ transfer: true }` creates it.
   */
  transferable: boolean;
}

export interface SignInFlow extends Flow<SignInStep, SignInField> {
  getState(): SignInFlowState;
  subscribe(listener: (s: SignInFlowState) => void): () => void;
  readonly signIn: SignIn | null;
  submitIdentifier(): Promise<void>;
  submitPassword(): Promise<void>;
  /** Switch to another first factor; email strategies send at once. */
  chooseStrategy(strategy: FirstFactorStrategy): Promise<void>;
  showStrategies(): void;
  submitCode(): Promise<void>;
  /** Send the code or link again. */
  resend(): Promise<void>;
  forgotPassword(): void;
  submitNewPassword(): Promise<void>;
  /**
   * Sign in with a social provider: creates the sign-in with strategy and
   * this page as redirect_url, then sends the browser to the provider.
   * On return (`lk_status=verified`) the flow completes; an error comes back
   * as `lk_error` and is shown in errors.global on the first step.
   */
  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void>;
  /** Sign in the account a transferable sign-up's social identity belongs to. */
  transfer(): Promise<void>;
}

export type SignUpStep =
  | "start" // the fields the instance requires / allows
  | "verify_email_code"
  | "verify_email_link"
  | "continue" // fields still missing (e.g. after a link)
  | "complete";

export type SignUpField =
  | "email_address"
  | "phone_number"
  | "username"
  | "password"
  | "first_name"
  | "last_name"
  | "legal_accepted"
  | "code";

/** The sign-up flow's state, with the fields its step shows. */
export interface SignUpFlowState extends FlowState<SignUpStep, SignUpField> {
  /**
   * "start": the fields the instance takes (from the environment, or the
   * sign-up once it exists), in a form's natural order (names,
   * identifiers, password, legal consent);
   * "continue": the fields still missing; other steps: none.
   */
  fields: FlowField<SignUpField>[];
  /**
   * The social identity this sign-up came back with belongs to an account:
   * a sign-in flow made with `{ transfer: true }` signs it in.
   */
  transferable: boolean;
}

export interface SignUpFlow extends Flow<SignUpStep, SignUpField> {
  getState(): SignUpFlowState;
  subscribe(listener: (s: SignUpFlowState) => void): () => void;
  readonly signUp: SignUp | null;
  submit(): Promise<void>;
  submitCode(): Promise<void>;
  resend(): Promise<void>;
  /** Use a link instead of a code (or back). */
  useStrategy(strategy: "email_code" | "email_link"): Promise<void>;
  /** Sign up with a social provider (see SignInFlow.authenticateWithRedirect). */
  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void>;
  /** Create the sign-up from a transferable sign-in's social identity. */
  transfer(): Promise<void>;
}

export type { Client, Device, EmailAddress, Environment, ExternalAccount, OAuthStrategy, Session, SignIn, SignUp, User };
