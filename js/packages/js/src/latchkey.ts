import { Api, path, type Method } from "./api";
import { Clock } from "./clock";
import { TabChannel, readUat, webLocks, type TabMessage } from "./cross_tab";
import { LatchkeyError, isLatchkeyError } from "./errors";
import { decodeClaims } from "./jwt";
import { createMe } from "./me";
import { SignInFlowImpl } from "./sign_in_flow";
import { SignUpFlowImpl } from "./sign_up_flow";
import { activeSessionId, buildState, sameClaims, signatureOf, type StateInputs } from "./state";
import { DUE_SLACK_MS, TokenCache } from "./token_cache";
import type { FlowHost } from "./flow";
import type {
  FlowOptions,
  InitialState,
  LatchkeyClient,
  LatchkeyOptions,
  LatchkeyState,
  Listener,
  MeAPI,
  SignInFlow,
  SignUpFlow,
} from "./types";
import type { Client, Environment, User } from "./resources";

/** The tokens endpoint's answers that mean "this browser is signed out". */
const SIGNED_OUT_CODES = new Set(["session_not_active", "signed_out"]);

const ignore = () => {};

/**
 * Latchkey is the browser client of one Latchkey instance: it loads the
 * environment and the client, keeps a snapshot of who is signed in, keeps the
 * session token fresh, keeps the tabs of the origin in step, and makes the
 * sign-in and sign-up flows.
 */
export class Latchkey implements LatchkeyClient {
  readonly options: LatchkeyOptions;
  readonly me: MeAPI;
  private readonly api: Api;
  private readonly clock = new Clock();
  private readonly tokens: TokenCache;
  private readonly crossTab: boolean;
  /** Opened by load(), so a client that is made and dropped (React's development double render) holds nothing. */
  private channel: TabChannel | null = null;
  private readonly browser: boolean;
  private readonly backgroundRefresh: boolean;
  private readonly listeners = new Set<Listener>();
  private readonly cleanups = new Set<() => void>();
  private readonly inputs: StateInputs;
  private state: LatchkeyState;
  private stateJSON: string;
  /** signatureOf the client last applied (null: not read yet). */
  private signature: string | null = null;
  private loading: Promise<void> | null = null;
  private reloading: Promise<void> | null = null;
  private uat: string | null;
  private destroyed = false;
  private started = false;

  constructor(options: LatchkeyOptions = {}) {
    this.options = options;
    this.browser = typeof window === "object" && window !== null && typeof document === "object";
    this.backgroundRefresh = options.backgroundRefresh ?? this.browser;
    const crossTab = options.crossTab ?? this.browser;
    this.api = new Api({
      frontendApi: options.frontendApi ?? "/__latchkey",
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      credentialStore: options.credentialStore,
      clock: this.clock,
      onClient: (client) => this.applyClient(client, true),
    });
    this.crossTab = crossTab;
    const locks = crossTab ? webLocks() : undefined;
    this.tokens = new TokenCache({
      clock: this.clock,
      fetchToken: (sessionId) => this.fetchToken(sessionId),
      post: (m) => this.channel?.post(m),
      lock: locks ? <T>(fn: () => Promise<T>) => locks.request("latchkey:token", fn) as Promise<T> : null,
      timers: this.backgroundRefresh,
      onDue: (sessionId) => {
        if (sessionId === this.state.sessionId) this.token(false, DUE_SLACK_MS).catch(ignore);
      },
      onToken: (sessionId, claims) => this.applyClaims(sessionId, claims),
    });
    const initial: InitialState | null = options.initialState ?? null;
    this.inputs = {
      environment: null,
      client: undefined,
      initial,
      claims: initial?.sessionId && initial.claims ? { sessionId: initial.sessionId, value: initial.claims } : null,
    };
    this.state = buildState(this.inputs);
    this.stateJSON = JSON.stringify(this.state);
    this.uat = readUat();
    // The token the server verified saves the first round trip.
    if (initial?.token && initial.sessionId && decodeClaims(initial.token)?.sid === initial.sessionId) {
      this.tokens.store(initial.sessionId, initial.token);
    }
    this.me = createMe(
      (method, p, body) => this.api.request(method, p, body),
      (user) => this.applyUser(user),
      (url) => this.navigate(url),
    );
  }

  /** start opens the tab channel and the focus listeners, once, on the first load(). */
  private start(): void {
    if (this.destroyed || this.started) return;
    this.started = true;
    this.tokens.start();
    if (this.crossTab) this.channel = new TabChannel((m) => this.receive(m));
    if (this.browser) {
      window.addEventListener("focus", this.onFocus);
      document.addEventListener("visibilitychange", this.onFocus);
    }
  }

  load(): Promise<void> {
    this.start();
    this.loading ??= Promise.all([this.api.request<Environment>("GET", "/environment"), this.reload()]).then(
      ([environment]) => {
        this.inputs.environment = environment;
        this.update();
        // Keep the token (and its cookie) fresh from the start, not only
        // once the app first asks for it.
        if (this.backgroundRefresh && this.state.sessionId) this.getToken().catch(ignore);
      },
      (e: unknown) => {
        this.loading = null;
        throw e;
      },
    );
    return this.loading;
  }

  getState(): LatchkeyState {
    return this.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  getToken(opts: { skipCache?: boolean } = {}): Promise<string | null> {
    return this.token(opts.skipCache === true, 0);
  }

  /** token is getToken; slackMs counts a token due that early (the refresh timer). */
  private async token(skipCache: boolean, slackMs: number): Promise<string | null> {
    if (!this.state.loaded) await this.load();
    const sessionId = this.state.sessionId;
    if (!sessionId || this.destroyed) return null;
    try {
      return await this.tokens.get(sessionId, skipCache, slackMs);
    } catch (e) {
      if (isLatchkeyError(e) && e.status === 401 && SIGNED_OUT_CODES.has(e.code)) {
        // The session ended (elsewhere, or revoked): find out what is left.
        this.tokens.clear();
        await this.reload().catch(ignore);
        return null;
      }
      throw e;
    }
  }

  async signOut(opts: { sessionId?: string } = {}): Promise<void> {
    try {
      if (opts.sessionId) await this.api.request("POST", path`/client/sessions/${opts.sessionId}/end`);
      else await this.api.request("DELETE", "/client");
    } catch (e) {
      if (!(isLatchkeyError(e) && e.status === 401)) throw e;
      await this.reload(); // already signed out
    }
  }

  async setActive(sessionId: string): Promise<void> {
    await this.api.request("POST", path`/client/sessions/${sessionId}/touch`);
  }

  reload(): Promise<void> {
    this.reloading ??= this.api.request("GET", "/client").then(
      () => {
        this.reloading = null;
      },
      (e: unknown) => {
        this.reloading = null;
        throw e;
      },
    );
    return this.reloading;
  }

  async reloadUser(): Promise<User | null> {
    try {
      const user = await this.api.request<User>("GET", "/me");
      this.applyUser(user);
      return user;
    } catch (e) {
      if (!(isLatchkeyError(e) && e.status === 401)) throw e;
      await this.reload();
      return null;
    }
  }

  signInFlow(opts: FlowOptions = {}): SignInFlow {
    return new SignInFlowImpl(this.host, opts);
  }

  signUpFlow(opts: FlowOptions = {}): SignUpFlow {
    return new SignUpFlowImpl(this.host, opts);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.tokens.destroy();
    this.channel?.close();
    if (this.browser) {
      window.removeEventListener("focus", this.onFocus);
      document.removeEventListener("visibilitychange", this.onFocus);
    }
    for (const stop of [...this.cleanups]) stop();
    this.cleanups.clear();
    this.listeners.clear();
  }

  /** navigate sends the browser to url (a social provider's page). */
  private navigate(url: string): void {
    if (this.options.navigate) this.options.navigate(url);
    else if (typeof location === "object" && location !== null) location.assign(url);
    else throw new LatchkeyError({ code: "navigation_unavailable", message: "There is no browser to send to the provider: pass options.navigate.", status: 0 });
  }

  /** What the flows use of this client. */
  private readonly host: FlowHost = {
    request: <T>(method: Method, p: string, body?: unknown) => this.api.request<T>(method, p, body),
    state: () => this.state,
    load: () => this.load(),
    reload: () => this.reload(),
    completed: async () => {
      await this.reload();
      // Mints the new session's first token, which also sets __lk_session
      // (a link completed on another device sets no cookie here).
      await this.getToken().catch(ignore);
    },
    now: () => this.clock.now(),
    navigate: (url) => this.navigate(url),
    onDestroy: (stop) => {
      this.cleanups.add(stop);
      return () => this.cleanups.delete(stop);
    },
  };

  private async fetchToken(sessionId: string): Promise<string> {
    const token = await this.api.request<{ jwt?: unknown }>("POST", path`/client/sessions/${sessionId}/tokens`);
    if (typeof token?.jwt !== "string") {
      throw new LatchkeyError({ code: "response_invalid", message: "The token answer has no jwt.", status: 200 });
    }
    // The refresh may set __lk_uat (when it was missing): not a change to react to.
    this.uat = readUat() ?? this.uat;
    return token.jwt;
  }

  /**
   * applyClient takes the client of an answer (fromHere) or of another tab's
   * message. A new active session drops the token; a changed user drops it
   * too (its claims may name the user). Changes made here are broadcast to
   * the other tabs, then (with background refresh) the new token is minted
   * at once, which broadcasts it too.
   */
  private applyClient(client: Client | null, fromHere: boolean): void {
    if (this.destroyed) return;
    const wasKnown = this.inputs.client !== undefined;
    const before = this.signature;
    const previousSession = this.state.sessionId;
    this.inputs.client = client;
    this.signature = signatureOf(client);
    this.uat = readUat() ?? this.uat;
    const sessionId = activeSessionId(client);
    const changed = wasKnown && before !== this.signature;
    const sessionChanged = sessionId !== previousSession;
    if (sessionChanged || (changed && sessionId)) this.tokens.clear();
    this.update();
    if (fromHere && changed) this.channel?.post({ type: "client", client });
    // A new session, or a user whose claims may have changed: mint its
    // token now (the other tabs get it from the broadcast).
    if (fromHere && wasKnown && sessionId && (sessionChanged || changed) && this.backgroundRefresh) this.getToken().catch(ignore);
  }

  /** applyUser puts a user an answer returned into the active session. */
  private applyUser(user: User): void {
    const client = this.inputs.client;
    const sessionId = activeSessionId(client);
    if (!client || !sessionId || user?.object !== "user") return;
    const sessions = client.sessions.map((s) => (s.id === sessionId && s.user?.id === user.id ? { ...s, user } : s));
    this.applyClient({ ...client, sessions }, true);
  }

  private applyClaims(sessionId: string, claims: Record<string, unknown> | null): void {
    const current = this.inputs.claims;
    if (!claims || (current?.sessionId === sessionId && sameClaims(current.value, claims))) return;
    this.inputs.claims = { sessionId, value: claims };
    this.update();
  }

  private receive(m: TabMessage): void {
    if (this.destroyed) return;
    if (m.type === "client") this.applyClient(m.client, false);
    else if (m.sessionId === this.state.sessionId) this.tokens.receive(m);
  }

  /** update recomputes the snapshot and tells the listeners when it changed. */
  private update(): void {
    const next = buildState(this.inputs);
    const json = JSON.stringify(next);
    if (json === this.stateJSON) return;
    this.state = next;
    this.stateJSON = json;
    for (const listener of [...this.listeners]) listener(next);
  }

  /**
   * onFocus runs when the tab is shown or focused: the `__lk_uat` cookie
   * tells whether another tab (or a page load) signed in or out meanwhile,
   * without BroadcastChannel; else a stale token is refreshed.
   */
  private readonly onFocus = (): void => {
    if (this.destroyed || document.visibilityState === "hidden") return;
    const uat = readUat();
    if (uat !== null && uat !== this.uat) {
      this.uat = uat;
      this.reload().catch(ignore);
      return;
    }
    const sessionId = this.state.sessionId;
    if (this.backgroundRefresh && sessionId && !this.tokens.fresh(sessionId)) this.getToken().catch(ignore);
  };
}
