import { clientError } from "./errors";
import { path } from "./api";
import { BaseFlow, noErrors, linkStatus, shared, type FlowHost } from "./flow";
import type { FlowOptions, SignInField, SignInFlow, SignInFlowState, SignInStep } from "./types";
import type { Client, FirstFactorStrategy, OAuthStrategy, SignIn } from "./resources";

const FIELDS: readonly SignInField[] = ["identifier", "password", "code", "new_password", "sign_out_of_other_sessions"];

/** The step that waits for each strategy's code or link. */
const STEP_OF: Partial<Record<FirstFactorStrategy, SignInStep>> = {
  email_code: "email_code",
  email_link: "email_link",
  reset_password_email_code: "reset_code",
  reset_password_email_link: "reset_link",
};

/** The strategy each step works with. */
const STRATEGY_OF: Partial<Record<SignInStep, FirstFactorStrategy>> = {
  password: "password",
  email_code: "email_code",
  email_link: "email_link",
  reset_code: "reset_password_email_code",
  reset_link: "reset_password_email_link",
};

const isReset = (s: FirstFactorStrategy) => s.startsWith("reset_");

function initialState(): SignInFlowState {
  return {
    step: "identifier",
    values: { identifier: "", password: "", code: "", new_password: "", sign_out_of_other_sessions: true },
    errors: noErrors(),
    busy: false,
    createdSessionId: null,
    strategies: [],
    resetStrategies: [],
    safeIdentifier: null,
    transferable: false,
  };
}

const isOAuth = (strategy: string | undefined) => strategy?.startsWith("oauth_") === true;

/**
 * SignInFlowImpl drives a sign-in: identifier, then the password or an email
 * code or link (or a password reset), to a session. Its steps follow the
 * instance's first factors and the server's answers; it resumes the
 * client's sign-in in progress, including after a mailed link led back.
 */
export class SignInFlowImpl extends BaseFlow<SignInStep, SignInField, SignInFlowState> implements SignInFlow {
  protected readonly firstStep: SignInStep = "identifier";
  private current: SignIn | null = null;

  constructor(host: FlowHost, options: FlowOptions) {
    super(host, options, initialState, FIELDS);
    this.start();
  }

  get signIn(): SignIn | null {
    return this.current;
  }

  /** submitIdentifier starts the sign-in; with a password filled in too, it signs in in one step. */
  submitIdentifier(): Promise<void> {
    return this.run(async () => {
      const identifier = String(this.s.values.identifier).trim();
      const password = String(this.s.values.password);
      if (!identifier) throw clientError("form_identifier_required", "Enter your email address or username.", "identifier");
      await this.host.load();
      if (password) {
        await this.after(await this.host.request<SignIn>("POST", "/client/sign_ins", { identifier, password }));
        return;
      }
      const si = await this.host.request<SignIn>("POST", "/client/sign_ins", { identifier });
      this.current = si;
      const offered = si.supported_first_factors.map((f) => f.strategy);
      if (offered.includes("password") && this.host.state().environment?.password.enabled !== false) {
        this.go("password");
        return;
      }
      const email = offered.find((s) => s === "email_code" || s === "email_link");
      if (!email) throw clientError("strategy_not_allowed", "There is no way to sign in with this identifier.", "identifier");
      await this.prepare(email, true);
    });
  }

  submitPassword(): Promise<void> {
    return this.run(async () => {
      const password = String(this.s.values.password);
      if (!password) throw clientError("form_param_missing", "Enter your password.", "password");
      await this.after(await this.host.request<SignIn>("POST", path`/client/sign_ins/${this.need().id}/attempt_first_factor`, { strategy: "password", password }));
    });
  }

  chooseStrategy(strategy: FirstFactorStrategy): Promise<void> {
    return this.run(async () => {
      this.need();
      if (strategy === "password") this.go("password");
      else await this.prepare(strategy, true);
    });
  }

  showStrategies(): void {
    if (this.current && !this.s.busy) this.go("choose_strategy");
  }

  forgotPassword(): void {
    if (this.current && !this.s.busy) this.go("forgot_password");
  }

  /** submitCode checks the email code (email_code) or the reset code (reset_code). */
  submitCode(): Promise<void> {
    return this.run(async () => {
      const strategy = STRATEGY_OF[this.s.step];
      if (strategy !== "email_code" && strategy !== "reset_password_email_code") return;
      const code = String(this.s.values.code).trim();
      if (!code) throw clientError("form_param_missing", "Enter the code from the email.", "code");
      await this.after(await this.host.request<SignIn>("POST", path`/client/sign_ins/${this.need().id}/attempt_first_factor`, { strategy, code }));
    });
  }

  resend(): Promise<void> {
    return this.run(async () => {
      const strategy = STRATEGY_OF[this.s.step];
      if (strategy && strategy !== "password") await this.prepare(strategy, false);
    });
  }

  submitNewPassword(): Promise<void> {
    return this.run(async () => {
      const password = String(this.s.values.new_password);
      if (!password) throw clientError("form_param_missing", "Enter a new password.", "new_password");
      const body = { password, sign_out_of_other_sessions: this.s.values.sign_out_of_other_sessions !== false };
      await this.after(await this.host.request<SignIn>("POST", path`/client/sign_ins/${this.need().id}/reset_password`, body));
    });
  }

  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void> {
    return this.run(async () => {
      if (!isOAuth(strategy)) throw clientError("strategy_not_allowed", `${String(strategy)} is not a social provider's strategy.`, "strategy");
      await this.host.load();
      const body: Record<string, string> = { strategy };
      const redirect = this.redirectUrl();
      if (redirect) body.redirect_url = redirect;
      const si = await this.host.request<SignIn>("POST", "/client/sign_ins", body);
      this.current = si;
      this.toProvider(si.first_factor_verification);
    });
  }

  transfer(): Promise<void> {
    return this.run(async () => {
      await this.after(await shared(this.host, "sign_in_transfer", () => this.host.request<SignIn>("POST", "/client/sign_ins", { transfer: true })));
    });
  }

  protected derive(s: SignInFlowState): SignInFlowState {
    const factors = this.current?.supported_first_factors ?? [];
    const strategies = factors.map((f) => f.strategy);
    const strategy = STRATEGY_OF[s.step];
    const factor = factors.find((f) => f.strategy === strategy && f.safe_identifier) ?? factors.find((f) => f.safe_identifier);
    return {
      ...s,
      strategies: strategies.filter((x) => x !== "password" && !isReset(x)),
      resetStrategies: strategies.filter(isReset),
      safeIdentifier: factor?.safe_identifier ?? null,
      transferable: this.current?.first_factor_verification?.status === "transferable",
    };
  }

  protected override fieldFor(param: string | undefined): SignInField | undefined {
    // reset_password names the new password "password".
    if (param === "password" && this.s.step === "new_password") return "new_password";
    return super.fieldFor(param);
  }

  protected pollsOn(step: SignInStep): boolean {
    return step === "email_link" || step === "reset_link";
  }

  protected async poll(step: SignInStep): Promise<void> {
    const id = this.current?.id;
    if (!id) return;
    const si = await this.host.request<SignIn>("GET", path`/client/sign_ins/${id}`);
    if (this.s.step !== step) return;
    this.current = si;
    if (si.status === "complete") {
      await this.run(() => this.finish(si));
      return;
    }
    if (si.status === "needs_new_password") {
      this.toNewPassword();
      return;
    }
    const v = si.first_factor_verification;
    if (si.expire_at <= this.host.now()) throw clientError("attempt_expired", "This sign-in has expired. Start again.");
    if (v?.status === "expired") throw clientError("verification_expired", "The link has expired. Send a new one.");
    if (v?.status === "failed") throw clientError("verification_failed", "The link can no longer be used. Send a new one.");
  }

  protected resume(client: Client | null): void {
    const si = client?.sign_in;
    const sessionId = this.host.state().sessionId;
    if (si && si.status !== "complete" && si.expire_at > this.host.now() && isOAuth(si.first_factor_verification?.strategy)) {
      // Back from a provider without finishing, or with an identity that
      // has no account (transferable): the first step, with the sign-in
      // kept so that `transferable` shows.
      this.current = si;
      this.set({});
      return;
    }
    if (!si || si.expire_at <= this.host.now() || si.status === "needs_identifier") {
      // A magic link opened in this browser signed it in and cleared the sign-in.
      if (linkStatus() === "verified" && sessionId) this.set({ step: "complete", createdSessionId: sessionId });
      else this.set({});
      return;
    }
    this.current = si;
    this.history = ["identifier"];
    this.setValues({ identifier: si.identifier ?? "" });
    switch (si.status) {
      case "complete":
        void this.run(() => this.finish(si));
        return;
      case "needs_new_password":
        this.toNewPassword();
        return;
      case "needs_first_factor": {
        const step = STEP_OF[si.first_factor_verification?.strategy as FirstFactorStrategy];
        const password = si.supported_first_factors.some((f) => f.strategy === "password");
        this.go(step ?? (password ? "password" : "choose_strategy"), false);
        return;
      }
      default:
        this.history = [];
        this.set({});
    }
  }

  protected forget(): void {
    this.current = null;
    // Back at the identifier, a password left over from the password step
    // would turn the next submit into a one-step sign-in.
    this.s = { ...this.s, values: { ...this.s.values, password: "", code: "", new_password: "" } };
  }

  /** need is the sign-in the action works on. */
  private need(): SignIn {
    if (!this.current) throw clientError("form_identifier_required", "Enter your email address or username first.", "identifier");
    return this.current;
  }

  /** prepare sends the strategy's code or link and moves to the step that waits for it. */
  private async prepare(strategy: FirstFactorStrategy, push: boolean): Promise<void> {
    const step = STEP_OF[strategy];
    if (!step) throw clientError("strategy_not_allowed", `${strategy} cannot be sent.`, "strategy");
    const body: Record<string, string> = { strategy };
    const redirect = strategy.endsWith("_link") ? this.redirectUrl() : undefined;
    if (redirect) body.redirect_url = redirect;
    this.current = await this.host.request<SignIn>("POST", path`/client/sign_ins/${this.need().id}/prepare_first_factor`, body);
    this.setValues({ code: "" });
    this.go(step, push);
  }

  /** after moves on from the sign-in a request answered. */
  private async after(si: SignIn): Promise<void> {
    this.current = si;
    if (si.status === "complete") await this.finish(si);
    else if (si.status === "needs_new_password") this.toNewPassword();
    else this.set({});
  }

  private toNewPassword(): void {
    // The reset is verified: going back would only offer a used code.
    this.history = ["identifier"];
    this.go("new_password", false);
  }

  private async finish(si: SignIn): Promise<void> {
    this.current = si;
    await this.host.completed();
    this.history = [];
    this.set({
      step: "complete",
      createdSessionId: si.created_session_id ?? this.host.state().sessionId,
      // Secrets are not kept once they served.
      values: { ...this.s.values, password: "", code: "", new_password: "" },
    });
  }
}
