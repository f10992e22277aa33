import { LatchkeyError, isLatchkeyError } from "./errors";
import type { Method } from "./api";
import type { FlowErrors, FlowOptions, FlowState, LatchkeyState } from "./types";
import type { Client } from "./resources";

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
}

export function noErrors(): FlowErrors {
  return { global: [], fields: {} };
}

/** linkStatus is `lk_status` of the page's URL: how a mailed link that led here went. */
export function linkStatus(): string | null {
  return typeof location === "object" && location !== null ? new URLSearchParams(location.search).get("lk_status") : null;
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

  /**
   * start resumes at once when the client is known (so the first render
   * shows the right step), else once it is loaded. After a mailed link led
   * back here (lk_status=verified) the client is re-read first.
   */
  protected start(): void {
    this.s = this.derive(this.s);
    const verified = linkStatus() === "verified";
    if (this.host.state().client && !verified) {
      this.resume(this.host.state().client);
      return;
    }
    (verified ? this.host.reload().then(() => this.host.load()) : this.host.load()).then(
      () => {
        // After an action started, only recompute what the environment decides.
        if (this.touched) this.set({});
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

  /** redirectUrl is where mailed links come back to: the option, else this page without link parameters. */
  protected redirectUrl(): string | undefined {
    if (this.options.redirectUrl) return this.options.redirectUrl;
    if (typeof location !== "object" || location === null) return undefined;
    const url = new URL(location.href);
    url.searchParams.delete("lk_status");
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
