// FakeClient is a small in-memory LatchkeyClient for tests: components can be
// rendered in every state and step without a server. State is controlled
// directly (setState, signInAs, go), every call is recorded in calls, the
// next call of a method can be made to fail (failNext), and async calls can
// be held in flight to observe busy states (hold).
//
// Its flows behave like the real ones in outline: a password of
// fake.password and a code of fake.code succeed, anything else fails with
// the server's error code on the field.

import { LatchkeyError } from "@latchkey/js";
import type {
  Device,
  EmailAddress,
  Environment,
  ExternalAccount,
  FirstFactorStrategy,
  FlowErrors,
  FlowField,
  FlowOptions,
  FlowState,
  LatchkeyClient,
  LatchkeyOptions,
  LatchkeyState,
  Listener,
  MeAPI,
  OAuthStrategy,
  SignIn,
  SignInField,
  SignInFlow,
  SignInFlowState,
  SignInStep,
  SignUp,
  SignUpField,
  SignUpFlow,
  SignUpFlowState,
  SignUpStep,
  User,
} from "@latchkey/js";
import { makeDevice, makeEmailAddress, makeEnvironment, makeExternalAccount, makeSession, makeSignIn, makeSignUp, makeUser } from "./fixtures";

export interface FakeClientInit {
  /** The instance's environment (default makeEnvironment()); null while "loading". */
  environment?: Environment | null;
  /** Signed in as this user when given. */
  user?: User | null;
  /** Whether the state is loaded (default true). */
  loaded?: boolean;
  claims?: Record<string, unknown> | null;
  devices?: Device[];
}

/** A call the fake can be told to fail: "signIn.submitPassword", "me.update", "signOut", ... */
export type FakeCall = string;

export class FakeClient implements LatchkeyClient {
  readonly options: LatchkeyOptions = {};
  /** Every call made, in order ("load", "signIn.submitIdentifier", "me.update", ...). */
  readonly calls: FakeCall[] = [];
  readonly signInFlows: FakeSignInFlow[] = [];
  readonly signUpFlows: FakeSignUpFlow[] = [];
  /** The provider pages the browser was sent to (authenticateWithRedirect, connectExternalAccount). */
  readonly navigated: string[] = [];
  /** The password sign-in flows accept. */
  password = "correct horse battery";
  /** The code flows and email verification accept. */
  code = "424242";
  devices: Device[];
  destroyed = false;
  readonly me: MeAPI;

  private state: LatchkeyState;
  private readonly listeners = new Set<Listener>();
  private readonly failures = new Map<FakeCall, LatchkeyError>();
  private gate: Promise<void> | null = null;
  private failAllWith: LatchkeyError | null = null;

  constructor(init: FakeClientInit = {}) {
    const environment = init.environment === undefined ? makeEnvironment() : init.environment;
    this.state = signedOut(environment, init.loaded ?? true);
    if (init.user) this.state = signedIn(this.state, init.user, "sess_1", init.claims ?? null);
    this.devices = init.devices ?? [makeDevice({ id: "sess_1", current: true }), makeDevice({ id: "sess_2", current: false, browser_name: "Firefox", os_name: "Linux" })];
    this.me = new FakeMe(this);
  }

  // --- control -------------------------------------------------------------

  /** setState replaces parts of the state and notifies subscribers. */
  setState(patch: Partial<LatchkeyState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener(this.state);
  }

  /** signInAs makes user the signed-in user with a session. */
  signInAs(user: User, sessionId = "sess_1", claims: Record<string, unknown> | null = null): void {
    this.state = signedIn(this.state, user, sessionId, claims);
    for (const listener of [...this.listeners]) listener(this.state);
  }

  /** signOutNow signs everyone out, as another tab signing out would. */
  signOutNow(): void {
    this.setState(signedOut(this.state.environment, true));
  }

  /** failNext makes the next call of name reject with the error code (on paramName's field if given). */
  failNext(name: FakeCall, code: string, paramName?: string): void {
    const init: ConstructorParameters<typeof LatchkeyError>[0] = { code, message: `fake ${code}`, status: 422 };
    if (paramName) init.paramName = paramName;
    this.failures.set(name, new LatchkeyError(init));
  }

  /** failAll makes every later call (but load) reject with the error code, until failAll(null). */
  failAll(code: string | null, paramName?: string): void {
    if (code === null) {
      this.failAllWith = null;
      return;
    }
    const init: ConstructorParameters<typeof LatchkeyError>[0] = { code, message: `fake ${code}`, status: 422 };
    if (paramName) init.paramName = paramName;
    this.failAllWith = new LatchkeyError(init);
  }

  /** hold keeps every async call in flight until the returned release is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  /** settle records a call, waits while held, and throws a failure set with failNext. */
  async settle(name: FakeCall): Promise<void> {
    this.calls.push(name);
    await Promise.resolve();
    while (this.gate) await this.gate;
    const failure = this.failures.get(name);
    if (failure) {
      this.failures.delete(name);
      throw failure;
    }
    if (this.failAllWith && name !== "load") throw this.failAllWith;
  }

  // --- LatchkeyClient --------------------------------------------------------

  async load(): Promise<void> {
    await this.settle("load");
    if (!this.state.loaded) this.setState({ loaded: true, environment: this.state.environment ?? makeEnvironment() });
  }

  getState(): LatchkeyState {
    return this.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getToken(): Promise<string | null> {
    await this.settle("getToken");
    return this.state.isSignedIn ? `fake-token-${this.state.sessionId}` : null;
  }

  async signOut(opts?: { sessionId?: string }): Promise<void> {
    await this.settle(opts?.sessionId ? `signOut:${opts.sessionId}` : "signOut");
    this.signOutNow();
  }

  async setActive(sessionId: string): Promise<void> {
    await this.settle(`setActive:${sessionId}`);
    const session = this.state.sessions.find((s) => s.id === sessionId);
    if (!session) throw new LatchkeyError({ code: "session_not_active", message: "fake session_not_active", status: 401 });
    this.setState({ session, sessionId, user: session.user ?? null, userId: session.user?.id ?? null });
  }

  async reload(): Promise<void> {
    await this.settle("reload");
  }

  async reloadUser(): Promise<User | null> {
    await this.settle("reloadUser");
    return this.state.user;
  }

  signInFlow(opts?: FlowOptions): SignInFlow {
    const flow = new FakeSignInFlow(this, opts);
    this.signInFlows.push(flow);
    return flow;
  }

  signUpFlow(opts?: FlowOptions): SignUpFlow {
    const flow = new FakeSignUpFlow(this, opts);
    this.signUpFlows.push(flow);
    return flow;
  }

  destroy(): void {
    this.calls.push("destroy");
    this.destroyed = true;
  }

  /** updateUser replaces the signed-in user (as /v1/me answers do) and notifies. */
  updateUser(user: User): void {
    const session = this.state.session ? { ...this.state.session, user } : null;
    this.setState({ user, session, sessions: this.state.sessions.map((s) => (s.id === session?.id && session ? session : s)) });
  }
}

function signedOut(environment: Environment | null, loaded: boolean): LatchkeyState {
  return { loaded, environment, client: null, session: null, user: null, sessions: [], isSignedIn: false, userId: null, sessionId: null, claims: null };
}

function signedIn(state: LatchkeyState, user: User, sessionId: string, claims: Record<string, unknown> | null): LatchkeyState {
  const session = makeSession(user, { id: sessionId });
  return { ...state, loaded: true, session, user, sessions: [session], isSignedIn: true, userId: user.id, sessionId, claims: claims ?? { sub: user.id, sid: sessionId } };
}

// --- /v1/me ---------------------------------------------------------------------

class FakeMe implements MeAPI {
  constructor(private readonly client: FakeClient) {}

  private user(): User {
    const user = this.client.getState().user;
    if (!user) throw new LatchkeyError({ code: "signed_out", message: "fake signed_out", status: 401 });
    return user;
  }

  async update(fields: { first_name?: string; last_name?: string; username?: string; unsafe_metadata?: Record<string, unknown> }): Promise<User> {
    await this.client.settle("me.update");
    const user = { ...this.user() };
    if (fields.first_name !== undefined) user.first_name = fields.first_name || null;
    if (fields.last_name !== undefined) user.last_name = fields.last_name || null;
    if (fields.username !== undefined) user.username = fields.username || null;
    if (fields.unsafe_metadata !== undefined) user.unsafe_metadata = fields.unsafe_metadata;
    this.client.updateUser(user);
    return user;
  }

  async delete(): Promise<void> {
    await this.client.settle("me.delete");
    this.client.signOutNow();
  }

  async createEmailAddress(emailAddress: string): Promise<EmailAddress> {
    await this.client.settle("me.createEmailAddress");
    const user = this.user();
    const email = makeEmailAddress({ id: `idn_email_${user.email_addresses.length + 1}`, email_address: emailAddress, verification: null });
    this.client.updateUser({ ...user, email_addresses: [...user.email_addresses, email] });
    return email;
  }

  async prepareEmailVerification(id: string): Promise<EmailAddress> {
    await this.client.settle("me.prepareEmailVerification");
    return this.setEmail(id, (e) => ({ ...e, verification: { status: "unverified", strategy: "email_code", attempts: 0, expire_at: Date.now() + 600_000 } }));
  }

  async attemptEmailVerification(id: string, code: string): Promise<EmailAddress> {
    await this.client.settle("me.attemptEmailVerification");
    if (code !== this.client.code) throw new LatchkeyError({ code: "form_code_incorrect", message: "fake form_code_incorrect", status: 422, paramName: "code" });
    return this.setEmail(id, (e) => ({ ...e, verification: { status: "verified", strategy: "email_code", attempts: 1, expire_at: null, verified_at: Date.now() } }));
  }

  async makePrimaryEmailAddress(id: string): Promise<User> {
    await this.client.settle("me.makePrimaryEmailAddress");
    const user = { ...this.user(), primary_email_address_id: id };
    this.client.updateUser(user);
    return user;
  }

  async deleteEmailAddress(id: string): Promise<void> {
    await this.client.settle("me.deleteEmailAddress");
    const user = this.user();
    this.client.updateUser({ ...user, email_addresses: user.email_addresses.filter((e) => e.id !== id) });
  }

  async changePassword(p: { currentPassword?: string; newPassword: string; signOutOfOtherSessions?: boolean }): Promise<User> {
    await this.client.settle("me.changePassword");
    if (p.currentPassword !== undefined && p.currentPassword !== this.client.password) {
      throw new LatchkeyError({ code: "form_password_incorrect", message: "fake form_password_incorrect", status: 422, paramName: "current_password" });
    }
    this.client.password = p.newPassword;
    const user = { ...this.user(), password_enabled: true };
    this.client.updateUser(user);
    return user;
  }

  async setProfileImage(file: Blob): Promise<User> {
    await this.client.settle("me.setProfileImage");
    const user = { ...this.user(), has_image: true, image_url: `https://img.example/${file.size}.png` };
    this.client.updateUser(user);
    return user;
  }

  async removeProfileImage(): Promise<User> {
    await this.client.settle("me.removeProfileImage");
    const user = { ...this.user(), has_image: false, image_url: "" };
    this.client.updateUser(user);
    return user;
  }

  async connectExternalAccount(strategy: OAuthStrategy, redirectUrl: string): Promise<ExternalAccount> {
    await this.client.settle(`me.connectExternalAccount:${strategy}`);
    const provider = strategy.slice("oauth_".length);
    const url = `https://${provider}.example/authorize?redirect_uri=${encodeURIComponent(redirectUrl)}`;
    this.client.navigated.push(url);
    return makeExternalAccount({ id: `eac_${provider}`, provider, verification: { status: "unverified", strategy, attempts: null, expire_at: null, external_verification_redirect_url: url } });
  }

  async disconnectExternalAccount(id: string): Promise<void> {
    await this.client.settle("me.disconnectExternalAccount");
    const user = this.user();
    this.client.updateUser({ ...user, external_accounts: user.external_accounts.filter((a) => a.id !== id) });
  }

  async listSessions(): Promise<Device[]> {
    await this.client.settle("me.listSessions");
    return this.client.devices;
  }

  async revokeSession(id: string): Promise<void> {
    await this.client.settle("me.revokeSession");
    this.client.devices = this.client.devices.filter((d) => d.id !== id);
  }

  private setEmail(id: string, change: (e: EmailAddress) => EmailAddress): EmailAddress {
    const user = this.user();
    const current = user.email_addresses.find((e) => e.id === id);
    if (!current) throw new LatchkeyError({ code: "resource_not_found", message: "fake resource_not_found", status: 404 });
    const next = change(current);
    this.client.updateUser({ ...user, email_addresses: user.email_addresses.map((e) => (e.id === id ? next : e)) });
    return next;
  }
}

// --- flows ----------------------------------------------------------------------

const noErrors: FlowErrors = { global: [], fields: {} };

abstract class FakeFlow<Step extends string, Field extends string, State extends FlowState<Step, Field>> {
  /** Actions called, in order ("submitIdentifier", "resend", ...). */
  readonly actions: string[] = [];
  destroyed = false;
  protected state: State;
  private readonly history: Step[] = [];
  private readonly listeners = new Set<(s: State) => void>();

  constructor(
    protected readonly client: FakeClient,
    readonly options: FlowOptions | undefined,
    private readonly first: Step,
    private readonly empty: Record<Field, string | boolean>,
  ) {
    this.state = this.derive({ step: first, values: { ...empty }, errors: noErrors, busy: false, createdSessionId: null });
  }

  /** derive adds what the flow's state shows beyond the base state. */
  protected abstract derive(base: FlowState<Step, Field>): State;

  getState(): State {
    return this.state;
  }

  subscribe(listener: (s: State) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.actions.push("destroy");
    this.destroyed = true;
    this.listeners.clear();
  }

  setField(name: Field, value: string | boolean): void {
    const fields = { ...this.state.errors.fields, [name]: undefined };
    this.set({ values: { ...this.state.values, [name]: value }, errors: { global: this.state.errors.global, fields } });
  }

  back(): void {
    this.actions.push("back");
    this.set({ step: this.history.pop() ?? this.first, errors: noErrors }, false);
  }

  reset(): void {
    this.actions.push("reset");
    this.history.length = 0;
    this.set({ step: this.first, values: { ...this.empty }, errors: noErrors, busy: false, createdSessionId: null }, false);
  }

  /** go moves the flow to step (tests render every step with it). */
  go(step: Step): void {
    this.set({ step, errors: noErrors });
  }

  /** fail shows an error: on field when given, else global. */
  fail(code: string, field?: Field): void {
    const init: ConstructorParameters<typeof LatchkeyError>[0] = { code, message: `fake ${code}`, status: 422 };
    if (field) init.paramName = field;
    const error = new LatchkeyError(init);
    this.set({ errors: field ? { global: [], fields: { [field]: error } } : { global: [error], fields: {} } });
  }

  protected set(patch: Partial<FlowState<Step, Field>>, remember = true): void {
    if (remember && patch.step !== undefined && patch.step !== this.state.step) this.history.push(this.state.step);
    this.state = this.derive({ ...this.state, ...patch });
    for (const listener of [...this.listeners]) listener(this.state);
  }

  protected async run(name: string, prefix: string, action: () => void): Promise<void> {
    if (this.state.busy) return;
    this.actions.push(name);
    this.set({ busy: true, errors: noErrors });
    try {
      await this.client.settle(`${prefix}.${name}`);
      this.set({ busy: false });
      action();
    } catch (error) {
      const e = error as LatchkeyError;
      this.set({ busy: false, errors: e.paramName ? { global: [], fields: { [e.paramName]: e } } : { global: [e], fields: {} } });
    }
  }

  protected value(name: Field): string {
    const v = this.state.values[name];
    return typeof v === "string" ? v : "";
  }
}

const signInEmpty: Record<SignInField, string | boolean> = { identifier: "", password: "", code: "", new_password: "", sign_out_of_other_sessions: true };

const stepOfStrategy: Record<FirstFactorStrategy, SignInStep> = {
  password: "password",
  email_code: "email_code",
  email_link: "email_link",
  reset_password_email_code: "reset_code",
  reset_password_email_link: "reset_link",
};

const stepStrategy: Partial<Record<SignInStep, FirstFactorStrategy>> = {
  email_code: "email_code",
  email_link: "email_link",
  reset_code: "reset_password_email_code",
  reset_link: "reset_password_email_link",
};

export class FakeSignInFlow extends FakeFlow<SignInStep, SignInField, SignInFlowState> implements SignInFlow {
  signIn: SignIn | null = null;

  constructor(client: FakeClient, options?: FlowOptions) {
    super(client, options, "identifier", signInEmpty);
    if (options?.transfer) void this.transfer();
  }

  protected derive(base: FlowState<SignInStep, SignInField>): SignInFlowState {
    const factors = this.signIn?.supported_first_factors ?? [];
    const reset = (s: FirstFactorStrategy) => s.startsWith("reset_password_");
    const current = stepStrategy[base.step];
    return {
      ...base,
      strategies: factors.map((f) => f.strategy).filter((s) => !reset(s) && s !== "password"),
      resetStrategies: factors.map((f) => f.strategy).filter(reset),
      safeIdentifier: current ? (factors.find((f) => f.strategy === current)?.safe_identifier ?? null) : null,
      transferable: this.transferable === true,
    };
  }

  /** Whether the sign-in came back from a provider with an identity that has no account (tests set it). */
  transferable = false;

  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void> {
    return this.run(`authenticateWithRedirect:${strategy}`, "signIn", () => {
      this.client.navigated.push(`https://${strategy.slice("oauth_".length)}.example/authorize`);
    });
  }

  transfer(): Promise<void> {
    return this.run("transfer", "signIn", () => this.complete());
  }

  submitIdentifier(): Promise<void> {
    return this.run("submitIdentifier", "signIn", () => {
      const identifier = this.value("identifier").trim();
      if (!identifier) return this.fail("form_identifier_required", "identifier");
      this.signIn = makeSignIn(identifier);
      const factors = this.client.getState().environment?.sign_in.first_factors ?? ["password"];
      const first = factors.find((f) => f === "password" || f === "email_code" || f === "email_link") ?? "password";
      this.set({ step: stepOfStrategy[first] });
    });
  }

  submitPassword(): Promise<void> {
    return this.run("submitPassword", "signIn", () => {
      if (this.value("password") !== this.client.password) return this.fail("form_password_incorrect", "password");
      this.complete();
    });
  }

  chooseStrategy(strategy: FirstFactorStrategy): Promise<void> {
    return this.run(`chooseStrategy:${strategy}`, "signIn", () => {
      this.set({ step: stepOfStrategy[strategy], values: { ...this.state.values, code: "" } });
    });
  }

  showStrategies(): void {
    this.actions.push("showStrategies");
    this.set({ step: "choose_strategy", errors: noErrors });
  }

  submitCode(): Promise<void> {
    return this.run("submitCode", "signIn", () => {
      if (this.value("code") !== this.client.code) return this.fail("form_code_incorrect", "code");
      if (this.state.step === "reset_code") this.set({ step: "new_password" });
      else this.complete();
    });
  }

  resend(): Promise<void> {
    return this.run("resend", "signIn", () => undefined);
  }

  forgotPassword(): void {
    this.actions.push("forgotPassword");
    this.set({ step: "forgot_password", errors: noErrors });
  }

  submitNewPassword(): Promise<void> {
    return this.run("submitNewPassword", "signIn", () => {
      if (this.value("new_password").length < 8) return this.fail("form_password_length_too_short", "new_password");
      this.complete();
    });
  }

  /** complete finishes the sign-in (as a link opened elsewhere would) and signs the client in. */
  complete(): void {
    this.set({ step: "complete", createdSessionId: "sess_new" });
    this.client.signInAs(makeUser(), "sess_new");
  }
}

const signUpEmpty: Record<SignUpField, string | boolean> = {
  email_address: "",
  phone_number: "",
  username: "",
  password: "",
  first_name: "",
  last_name: "",
  legal_accepted: false,
  code: "",
};

export class FakeSignUpFlow extends FakeFlow<SignUpStep, SignUpField, SignUpFlowState> implements SignUpFlow {
  signUp: SignUp | null = null;
  /** The fields of the "continue" step (what a sign-up still misses). */
  missing: FlowField<SignUpField>[] = [{ name: "username", required: true }];

  constructor(client: FakeClient, options?: FlowOptions) {
    super(client, options, "start", signUpEmpty);
    if (options?.transfer) void this.transfer();
  }

  /** Whether the sign-up came back from a provider with an identity that has an account (tests set it). */
  transferable = false;

  protected derive(base: FlowState<SignUpStep, SignUpField>): SignUpFlowState {
    const transferable = this.transferable === true;
    if (base.step === "continue") return { ...base, fields: this.missing, transferable };
    if (base.step !== "start") return { ...base, fields: [], transferable };
    return { ...base, fields: startFields(this.client.getState().environment ?? makeEnvironment()), transferable };
  }

  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void> {
    return this.run(`authenticateWithRedirect:${strategy}`, "signUp", () => {
      this.client.navigated.push(`https://${strategy.slice("oauth_".length)}.example/authorize`);
    });
  }

  /** transfer creates the sign-up from the sign-in's identity: it goes on to the missing fields. */
  transfer(): Promise<void> {
    return this.run("transfer", "signUp", () => this.set({ step: "continue" }));
  }

  submit(): Promise<void> {
    return this.run("submit", "signUp", () => {
      const env = this.client.getState().environment ?? makeEnvironment();
      if (env.identifiers.email_address.required && !this.value("email_address")) return this.fail("form_param_missing", "email_address");
      if (env.password.required && !this.value("password")) return this.fail("form_param_missing", "password");
      if (env.sign_up.legal_consent_required && this.state.values.legal_accepted !== true) return this.fail("form_param_missing", "legal_accepted");
      const email = this.value("email_address");
      this.signUp = makeSignUp({ email_address: email || null, has_password: this.value("password") !== "" });
      const verification = env.sign_up.verifications[0];
      if (!email || !verification) return this.complete();
      this.set({ step: verification === "email_link" ? "verify_email_link" : "verify_email_code" });
    });
  }

  submitCode(): Promise<void> {
    return this.run("submitCode", "signUp", () => {
      if (this.value("code") !== this.client.code) return this.fail("form_code_incorrect", "code");
      this.complete();
    });
  }

  resend(): Promise<void> {
    return this.run("resend", "signUp", () => undefined);
  }

  useStrategy(strategy: "email_code" | "email_link"): Promise<void> {
    return this.run(`useStrategy:${strategy}`, "signUp", () => {
      this.set({ step: strategy === "email_link" ? "verify_email_link" : "verify_email_code" });
    });
  }

  /** complete finishes the sign-up (as opening the link would) and signs the client in. */
  complete(): void {
    this.set({ step: "complete", createdSessionId: "sess_new" });
    this.client.signInAs(makeUser({ first_name: this.value("first_name") || null, last_name: this.value("last_name") || null }), "sess_new");
  }
}

/** startFields are the fields an environment takes on sign-up, in the form's order. */
export function startFields(env: Environment): FlowField<SignUpField>[] {
  const fields: FlowField<SignUpField>[] = [];
  if (env.name.enabled) fields.push({ name: "first_name", required: env.name.required }, { name: "last_name", required: env.name.required });
  if (env.identifiers.username.enabled) fields.push({ name: "username", required: env.identifiers.username.required });
  if (env.identifiers.email_address.enabled) fields.push({ name: "email_address", required: env.identifiers.email_address.required });
  if (env.identifiers.phone_number.enabled) fields.push({ name: "phone_number", required: env.identifiers.phone_number.required });
  if (env.password.enabled) fields.push({ name: "password", required: env.password.required });
  if (env.sign_up.legal_consent_required) fields.push({ name: "legal_accepted", required: true });
  return fields;
}
