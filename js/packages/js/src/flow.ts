import { LatchkeyError, isLatchkeyError } from "./errors";
import type { Method } from "./api";
import type { FlowErrors, FlowOptions, FlowState, LatchkeyState } from "./types";
import type { Client, Verification } from "./resources";

/** How often a flow asks whether a mailed link was opened. */
export const POLL_INTERVAL_MS = 2_500;

/** What a flow needs from its Latchkey client. */
export interface FlowHost {
  request<T>(method: Method, path: string, body?: unknown): Promise<T>;
  state(): LatchkeyState;
  /** Environment and client (idempotent). */
  load(): Promise<void>;
  /** Re-read the client. */
  reload(): Promise<void>;
  /** A flow completed: re-read the client, tell the other tabs, and mint the session's first token (which also sets its cookie). */
  completed(): Promise<void>;
  /** Now in the server's clock (Unix ms). */
  now(): number;
  /** Call stop when the client is destroyed; returns the function that cancels this. */
  onDestroy(stop: () => void): () => void;
  /** Send the browser to url (a social provider's page). */
  navigate(url: string): void;
}

export function noErrors(): FlowErrors {
  return { global: [], fields: {} };
}

/** The query parameters a mailed link or a social provider's round trip comes back with. */
const RESULT_PARAMS = ["lk_status", "lk_error"] as const;

/** RedirectResult is how a mailed link or a social provider's round trip that led here went. */
export interface RedirectResult {
  /** lk_status: "verified", "verified_switch_tab", "transferable", ... */
  status: string | null;
  /** lk_error: a stable error code ("oauth_access_denied", ...). */
  error: string | null;
}

/**
 * shared runs request once per client and key while it is in flight: a
 * second flow made for the same page (React's development double render)
 * that starts the same one-shot request (a transfer) gets the same answer
 * instead of a refusal.
 */
const inFlight = new WeakMap<FlowHost, Map<string, Promise<unknown>>>();
export function shared<T>(host: FlowHost, key: string, request: () => Promise<T>): Promise<T> {
  let byKey = inFlight.get(host);
  if (!byKey) inFlight.set(host, (byKey = new Map()));
  const running = byKey.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = request().finally(() => byKey.delete(key));
  byKey.set(key, started);
  return started;
}

/** The last result read, and the address it left in the address bar. */
let lastResult: { href: string; result: RedirectResult } | null = null;

/**
 * redirectResult reads `lk_status` and `lk_error` of the page's URL and
 * removes them from the address bar (so a reload or a shared link does not
 * replay them). The result is remembered for the cleaned address: a second
 * flow made for the same page (React's development double render) still
 * sees it.
 */
export function redirectResult(): RedirectResult {
  const none: RedirectResult = { status: null, error: null };
  if (typeof location !== "object" || location === null) return none;
  const url = new URL(location.href);
  if (!RESULT_PARAMS.some((p) => url.searchParams.has(p))) return lastResult?.href === location.href ? lastResult.result : none;
  const result = { status: url.searchParams.get("lk_status"), error: url.searchParams.get("lk_error") };
  for (const p of RESULT_PARAMS) url.searchParams.delete(p);
  if (typeof history === "object" && history !== null && typeof history.replaceState === "function") {
    try {
      history.replaceState(history.state, "", url.toString());
    } catch {
      // A sandboxed frame may refuse; the parameters stay, harmlessly.
    }
  }
  lastResult = { href: location.href, result };
  return result;
}

/** linkStatus is `lk_status` of the page's URL: how a mailed link that led here went. */
export function linkStatus(): string | null {
  return redirectResult().status;
}

/** The English message of each lk_error code (the UI localizes by code). */
const REDIRECT_ERRORS: Record<string, string> = {
  oauth_access_denied: "Signing in with the provider was cancelled. Try again, or use another method.",
  oauth_email_unverified: "An account with this email address exists. Sign in to it first, then connect this provider.",
  external_account_exists: "This account at the provider is already connected to another user.",
};

/** redirectError is the error an `lk_error` code stands for. */
export function redirectError(code: string): LatchkeyError {
  return new LatchkeyError({ code, message: REDIRECT_ERRORS[code] ?? "Signing in with the provider failed. Try again.", status: 0 });
}

/**
 * BaseFlow is what the sign-in and sign-up flows share: an immutable state
 * with listeners, field values and errors, a step history for back(), the
 * busy guard around actions, and polling while a mailed link is awaited
 * (only while someone is subscribed, stopped by destroy()).
 */
export abstract class BaseFlow<Step extends string, Field extends string, S extends FlowState<Step, Field>> {
  protected s: S;
  protected history: Step[] = [];
  /** An action ran: a late resume must not move the flow. */
  protected touched = false;
  private readonly listeners = new Set<(s: S) => void>();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  /** An error stopped polling until the step changes or the link is sent again. */
  private pollStopped = false;
  private offDestroy: (() => void) | null = null;
  private destroyed = false;

  protected constructor(
    protected readonly host: FlowHost,
    protected readonly options: FlowOptions,
    private readonly makeInitial: () => S,
    private readonly fieldNames: readonly Field[],
  ) {
    this.s = makeInitial();
  }

  /** The state with what is derived from the flow's resource (strategies, fields). */
  protected abstract derive(s: S): S;
  /** Whether the step awaits a mailed link. */
  protected abstract pollsOn(step: Step): boolean;
  /** One poll; step is the step it started on. */
  protected abstract poll(step: Step): Promise<void>;
  /** Pick up an attempt already in progress on the client. */
  protected abstract resume(client: Client | null): void;
  /** Back at the first step (or, with reset, starting over): forget what no longer applies. */
  protected abstract forget(reset: boolean): void;
  protected abstract readonly firstStep: Step;
  /** Take over the other flow's transferable attempt (FlowOptions.transfer). */
  abstract transfer(): Promise<void>;

  /**
   * start resumes at once when the client is known (so the first render
   * shows the right step), else once it is loaded. After a mailed link or
   * a social provider led back here (lk_status=verified or transferable),
   * and before a transfer (options.transfer), the client is re-read first;
   * an lk_error puts the flow at its first step with that error.
   */
  protected start(): void {
    this.s = this.derive(this.s);
    const result = redirectResult();
    const verified = result.status === "verified";
    // A social provider's round trip ended in an error: start over, with it shown.
    const failed = result.error ? noErrors() : null;
    if (failed && result.error) failed.global.push(redirectError(result.error));
    // A transferable identity is read from a fresh client.
    const fresh = verified || result.status === "transferable" || this.options.transfer === true;
    if (this.host.state().client && !fresh) {
      // The error is shown after the first render, which must match the
      // server's (it never sees the page's query).
      if (failed) {
        void Promise.resolve().then(() => {
          if (!this.touched) this.set({ errors: failed });
        });
      } else this.resume(this.host.state().client);
      return;
    }
    (fresh ? this.host.reload().then(() => this.host.load()) : this.host.load()).then(
      () => {
        // After an action started, only recompute what the environment decides.
        if (this.touched) this.set({});
        else if (failed) this.set({ errors: failed });
        else if (this.options.transfer) void this.transfer();
        else this.resume(this.host.state().client);
      },
      () => {
        // The next action loads again and shows the error.
      },
    );
  }

  getState(): S {
    return this.s;
  }

  subscribe(listener: (s: S) => void): () => void {
    this.listeners.add(listener);
    this.syncPolling();
    return () => {
      this.listeners.delete(listener);
      this.syncPolling();
    };
  }

  setField(name: Field, value: string | boolean): void {
    const fields = { ...this.s.errors.fields };
    delete fields[name];
    this.set({ values: { ...this.s.values, [name]: value }, errors: { global: this.s.errors.global, fields } });
  }

  back(): void {
    if (this.s.busy || (this.s.step as string) === "complete") return;
    const previous = this.history.pop();
    if (previous === undefined) return;
    if (previous === this.firstStep) {
      this.history = [];
      this.forget(false);
    }
    this.set({ step: previous, errors: noErrors() });
  }

  reset(): void {
    this.history = [];
    this.forget(true);
    this.pollStopped = false;
    this.set(this.makeInitial());
  }

  destroy(): void {
    this.stopPolling();
    this.destroyed = true;
    this.listeners.clear();
  }

  protected set(patch: Partial<FlowState<Step, Field>>): void {
    if (this.destroyed) return;
    if (patch.step !== undefined && patch.step !== this.s.step) this.pollStopped = false;
    this.s = this.derive({ ...this.s, ...patch });
    for (const listener of [...this.listeners]) listener(this.s);
    this.syncPolling();
  }

  /** go moves to step, remembering the current one for back() unless push is false. */
  protected go(step: Step, push = true): void {
    if (push && step !== this.s.step) this.history.push(this.s.step);
    this.pollStopped = false;
    this.set({ step, errors: noErrors() });
  }

  protected setValues(values: Partial<Record<Field, string | boolean>>): void {
    this.set({ values: { ...this.s.values, ...values } });
  }

  /**
   * run performs an action: ignored while another is in flight, its errors
   * put into state.errors (never thrown, so a form handler need not catch).
   */
  protected async run(action: () => Promise<void>): Promise<void> {
    if (this.s.busy || this.destroyed) return;
    this.touched = true;
    this.set({ busy: true, errors: noErrors() });
    try {
      await action();
    } catch (e) {
      this.set({ errors: this.toErrors(e) });
    } finally {
      this.set({ busy: false });
    }
  }

  /** fieldFor maps an error's param_name to the flow's field, if it has one. */
  protected fieldFor(param: string | undefined): Field | undefined {
    return this.fieldNames.find((f) => f === param);
  }

  /** toErrors files each error of e under its field, or global. */
  protected toErrors(e: unknown): FlowErrors {
    const err = isLatchkeyError(e)
      ? e
      : new LatchkeyError({ code: "unexpected_error", message: e instanceof Error ? e.message : String(e), status: 0 });
    const out = noErrors();
    for (const item of err.errors) {
      const one =
        err.errors.length === 1
          ? err
          : new LatchkeyError({
              code: item.code,
              message: item.message,
              longMessage: item.long_message,
              paramName: item.meta?.param_name,
              status: err.status,
              traceId: err.traceId,
              retryAfter: err.retryAfter,
              errors: [item],
            });
      const field = this.fieldFor(one.paramName);
      if (field && !out.fields[field]) out.fields[field] = one;
      else out.global.push(one);
    }
    return out;
  }

  /**
   * toProvider sends the browser to a verification's provider page (the
   * answer to creating a sign-in or sign-up with an oauth_* strategy).
   */
  protected toProvider(v: Verification | null | undefined): void {
    const url = v?.external_verification_redirect_url;
    if (!url) throw new LatchkeyError({ code: "response_invalid", message: "The server sent no provider page to go to.", status: 200 });
    this.host.navigate(url);
  }

  /** redirectUrl is where mailed links come back to: the option, else this page without link parameters. */
  protected redirectUrl(): string | undefined {
    if (this.options.redirectUrl) return this.options.redirectUrl;
    if (typeof location !== "object" || location === null) return undefined;
    const url = new URL(location.href);
    for (const p of RESULT_PARAMS) url.searchParams.delete(p);
    url.searchParams.delete("__lk_hs");
    url.hash = "";
    return url.toString();
  }

  private syncPolling(): void {
    const wanted = !this.destroyed && !this.pollStopped && this.listeners.size > 0 && this.pollsOn(this.s.step);
    if (!wanted) this.stopPolling();
    else if (!this.pollTimer && !this.polling) {
      this.pollTimer = setTimeout(() => void this.tick(), POLL_INTERVAL_MS);
      this.offDestroy ??= this.host.onDestroy(() => this.destroy());
    }
  }

  private async tick(): Promise<void> {
    this.pollTimer = undefined;
    const step = this.s.step;
    if (!this.s.busy) {
      this.polling = true;
      try {
        await this.poll(step);
      } catch (e) {
        // A network blip is retried at the next tick; anything else (the
        // link expired, the attempt is gone) is shown and stops polling.
        if (!(isLatchkeyError(e) && e.code === "network_error") && this.s.step === step) {
          this.pollStopped = true;
          this.set({ errors: this.toErrors(e) });
        }
      } finally {
        this.polling = false;
      }
    }
    this.syncPolling();
  }

  private stopPolling(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.offDestroy?.();
    this.offDestroy = null;
  }
}
