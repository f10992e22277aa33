import { LatchkeyError, clientError } from "./errors";
import { path } from "./api";
import { BaseFlow, noErrors, shared, type FlowHost } from "./flow";
import type { FlowField, FlowOptions, SignUpField, SignUpFlow, SignUpFlowState, SignUpStep } from "./types";
import type { ApiErrorItem, Client, Environment, OAuthStrategy, SignUp } from "./resources";

type Strategy = "email_code" | "email_link";

const FIELDS: readonly SignUpField[] = [
  "email_address",
  "phone_number",
  "username",
  "password",
  "first_name",
  "last_name",
  "legal_accepted",
  "code",
];

/** The order a form shows the fields in. */
const FORM_ORDER: readonly SignUpField[] = [
  "first_name",
  "last_name",
  "email_address",
  "phone_number",
  "username",
  "password",
  "legal_accepted",
];

/** What to say when a required field is empty. */
const MISSING: Partial<Record<SignUpField, string>> = {
  first_name: "Enter your first name.",
  last_name: "Enter your last name.",
  email_address: "Enter your email address.",
  phone_number: "Enter your phone number.",
  username: "Choose a username.",
  password: "Choose a password.",
  legal_accepted: "Accept the terms to continue.",
};

function initialState(): SignUpFlowState {
  return {
    step: "start",
    values: {
      email_address: "",
      phone_number: "",
      username: "",
      password: "",
      first_name: "",
      last_name: "",
      legal_accepted: false,
      code: "",
    },
    errors: noErrors(),
    busy: false,
    createdSessionId: null,
    fields: [],
    transferable: false,
  };
}

/** environmentFields are the sign-up fields of the instance, as the server computes them. */
function environmentFields(env: Environment): FlowField<SignUpField>[] {
  const out: FlowField<SignUpField>[] = [];
  const add = (name: SignUpField, s: { enabled: boolean; required: boolean }) => {
    if (s.enabled) out.push({ name, required: s.required });
  };
  add("email_address", env.identifiers.email_address);
  add("phone_number", env.identifiers.phone_number);
  add("username", env.identifiers.username);
  add("password", env.password);
  add("first_name", env.name);
  add("last_name", env.name);
  if (env.sign_up.legal_consent_required) out.push({ name: "legal_accepted", required: true });
  return out;
}

function inFormOrder(fields: FlowField<SignUpField>[]): FlowField<SignUpField>[] {
  return [...fields].sort((a, b) => FORM_ORDER.indexOf(a.name) - FORM_ORDER.indexOf(b.name));
}

/**
 * SignUpFlowImpl drives a sign-up: the fields the instance asks for, the
 * email verification (a code by default, or a link), any fields still
 * missing, then the new session. It resumes the client's sign-up in progress.
 */
export class SignUpFlowImpl extends BaseFlow<SignUpStep, SignUpField, SignUpFlowState> implements SignUpFlow {
  protected readonly firstStep: SignUpStep = "start";
  private current: SignUp | null = null;

  constructor(host: FlowHost, options: FlowOptions) {
    super(host, options, initialState, FIELDS);
    this.start();
  }

  get signUp(): SignUp | null {
    return this.current;
  }

  /** submit sends the step's fields: creates the sign-up, or updates the one in progress. */
  submit(): Promise<void> {
    return this.run(async () => {
      await this.host.load();
      if (this.s.step !== "start" && this.s.step !== "continue") return;
      const su = this.open();
      const body: Record<string, string | boolean> = {};
      const missing: ApiErrorItem[] = [];
      for (const { name, required } of this.s.fields) {
        const value = this.s.values[name];
        const text = typeof value === "string" ? (name === "password" ? value : value.trim()) : "";
        if (name === "legal_accepted" ? value === true : text !== "") body[name] = name === "legal_accepted" ? true : text;
        else if (required) missing.push({ code: "form_param_missing", message: MISSING[name] ?? "Fill in this field.", meta: { param_name: name } });
        else if (su && name !== "legal_accepted") body[name] = ""; // clears what an earlier submit set
      }
      const first = missing[0];
      if (first) {
        throw new LatchkeyError({ code: first.code, message: first.message, paramName: first.meta?.param_name, status: 0, errors: missing });
      }
      const next = su
        ? await this.host.request<SignUp>("PATCH", path`/client/sign_ups/${su.id}`, body)
        : await this.host.request<SignUp>("POST", "/client/sign_ups", body);
      await this.after(next);
    });
  }

  submitCode(): Promise<void> {
    return this.run(async () => {
      if (this.s.step !== "verify_email_code") return;
      const code = String(this.s.values.code).trim();
      if (!code) throw clientError("form_param_missing", "Enter the code from the email.", "code");
      await this.after(await this.host.request<SignUp>("POST", path`/client/sign_ups/${this.need().id}/attempt_verification`, { strategy: "email_code", code }));
    });
  }

  resend(): Promise<void> {
    return this.run(async () => {
      if (this.s.step === "verify_email_code") await this.prepare("email_code");
      else if (this.s.step === "verify_email_link") await this.prepare("email_link");
    });
  }

  useStrategy(strategy: Strategy): Promise<void> {
    return this.run(async () => {
      if (strategy !== "email_code" && strategy !== "email_link") throw clientError("strategy_not_allowed", `${String(strategy)} is not a way to verify an email address.`, "strategy");
      await this.prepare(strategy);
    });
  }

  authenticateWithRedirect(strategy: OAuthStrategy): Promise<void> {
    return this.run(async () => {
      if (!String(strategy).startsWith("oauth_")) throw clientError("strategy_not_allowed", `${String(strategy)} is not a social provider's strategy.`, "strategy");
      await this.host.load();
      const body: Record<string, string | boolean> = { strategy };
      const redirect = this.redirectUrl();
      if (redirect) body.redirect_url = redirect;
      // Consent given on the form goes with the social sign-up.
      if (this.s.values.legal_accepted === true) body.legal_accepted = true;
      const su = await this.host.request<SignUp>("POST", "/client/sign_ups", body);
      this.current = su;
      this.toProvider(su.verifications.external_account);
    });
  }

  transfer(): Promise<void> {
    return this.run(async () => {
      await this.after(await shared(this.host, "sign_up_transfer", () => this.host.request<SignUp>("POST", "/client/sign_ups", { transfer: true })));
    });
  }

  protected derive(s: SignUpFlowState): SignUpFlowState {
    return { ...s, fields: this.fieldsFor(s.step), transferable: this.current?.verifications.external_account?.status === "transferable" };
  }

  protected pollsOn(step: SignUpStep): boolean {
    return step === "verify_email_link";
  }

  protected async poll(step: SignUpStep): Promise<void> {
    const id = this.current?.id;
    if (!id) return;
    const su = await this.host.request<SignUp>("GET", path`/client/sign_ups/${id}`);
    if (this.s.step !== step) return;
    this.current = su;
    if (su.status === "complete") {
      await this.run(() => this.finish(su));
      return;
    }
    if (!su.unverified_fields.includes("email_address")) {
      // Verified by the link, but fields are still missing.
      this.toContinue();
      return;
    }
    const v = su.verifications.email_address;
    if (su.status === "abandoned" || su.expire_at <= this.host.now()) throw clientError("attempt_expired", "This sign-up has expired. Start again.");
    if (v?.status === "expired") throw clientError("verification_expired", "The link has expired. Send a new one.");
    if (v?.status === "failed") throw clientError("verification_failed", "The link can no longer be used. Send a new one.");
  }

  protected resume(client: Client | null): void {
    const su = client?.sign_up;
    if (!su || su.status === "abandoned" || su.expire_at <= this.host.now()) {
      this.set({}); // the environment may have arrived: recompute the fields
      return;
    }
    const external = su.verifications.external_account;
    if (external && external.status !== "verified") {
      // Back from a provider without finishing, or with an identity that
      // already has an account (transferable, kept for the transfer).
      this.current = external.status === "transferable" ? su : null;
      this.set({});
      return;
    }
    this.current = su;
    this.setValues({
      email_address: su.email_address ?? "",
      phone_number: su.phone_number ?? "",
      username: su.username ?? "",
      first_name: su.first_name ?? "",
      last_name: su.last_name ?? "",
    });
    if (su.status === "complete") {
      void this.run(() => this.finish(su));
      return;
    }
    const step = this.pendingStep(su);
    if (step) {
      this.history = ["start"];
      this.go(step, false);
    } else this.set({});
  }

  protected forget(reset: boolean): void {
    // Back at the form the sign-up stays, and submitting again updates it;
    // a reset starts a new one.
    if (reset) this.current = null;
  }

  private need(): SignUp {
    if (!this.current) throw clientError("form_param_missing", "Fill in the form first.");
    return this.current;
  }

  /** open is the sign-up in progress that a submit updates, if any. */
  private open(): SignUp | null {
    const su = this.current;
    return su && su.status === "missing_requirements" && su.expire_at > this.host.now() ? su : null;
  }

  /** pendingStep is where an unfinished sign-up waits: a code or link already sent, or fields to add. */
  private pendingStep(su: SignUp): SignUpStep | null {
    if (su.unverified_fields.includes("email_address")) {
      const v = su.verifications.email_address;
      if (!v || v.status !== "unverified" || (v.expire_at !== null && v.expire_at <= this.host.now())) return null;
      return v.strategy === "email_link" ? "verify_email_link" : "verify_email_code";
    }
    return su.missing_fields.length > 0 ? "continue" : null;
  }

  /** after moves on from the sign-up a request answered. */
  private async after(su: SignUp): Promise<void> {
    this.current = su;
    if (su.status === "complete") {
      await this.finish(su);
      return;
    }
    if (su.status === "abandoned") throw clientError("attempt_expired", "This sign-up has expired. Start again.");
    const step = this.pendingStep(su);
    if (step === "continue") this.toContinue();
    else if (step) this.go(step, this.s.step === "start");
    else if (su.unverified_fields.includes("email_address")) await this.prepare(this.defaultStrategy());
    else this.set({});
  }

  private defaultStrategy(): Strategy {
    const offered = this.host.state().environment?.sign_up.verifications ?? ["email_code"];
    return offered.includes("email_code") ? "email_code" : (offered[0] ?? "email_code");
  }

  /** prepare mails a code or link to the sign-up's address and waits for it. */
  private async prepare(strategy: Strategy): Promise<void> {
    const body: Record<string, string> = { strategy };
    const redirect = strategy === "email_link" ? this.redirectUrl() : undefined;
    if (redirect) body.redirect_url = redirect;
    this.current = await this.host.request<SignUp>("POST", path`/client/sign_ups/${this.need().id}/prepare_verification`, body);
    this.setValues({ code: "" });
    const from = this.s.step;
    this.go(strategy === "email_link" ? "verify_email_link" : "verify_email_code", from === "start" || from === "continue");
  }

  private toContinue(): void {
    // The address is verified: going back would only offer a used code.
    this.history = ["start"];
    this.go("continue", false);
  }

  private fieldsFor(step: SignUpStep): FlowField<SignUpField>[] {
    const su = this.current;
    if (step === "continue") return inFormOrder((su?.missing_fields ?? []).map((name) => ({ name, required: true })));
    if (step !== "start") return [];
    if (su) {
      return inFormOrder([
        ...su.required_fields.map((name) => ({ name, required: true })),
        ...su.optional_fields.map((name) => ({ name, required: false })),
      ]);
    }
    const env = this.host.state().environment;
    return env ? inFormOrder(environmentFields(env)) : [];
  }

  private async finish(su: SignUp): Promise<void> {
    this.current = su;
    await this.host.completed();
    this.history = [];
    this.set({
      step: "complete",
      createdSessionId: su.created_session_id ?? this.host.state().sessionId,
      values: { ...this.s.values, password: "", code: "" },
    });
  }
}
