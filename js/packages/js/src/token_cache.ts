import { decodeClaims } from "./jwt";
import type { Clock } from "./clock";
import type { TabMessage } from "./cross_tab";

/** A token is refreshed this long before it expires (server time). */
export const REFRESH_MARGIN_MS = 15_000;
/** How long a tab waits for another tab's refresh before doing its own. */
export const REMOTE_WAIT_MS = 5_000;
/** The refresh timer never fires sooner than this, so a clock far off cannot cause a refresh loop. */
const MIN_TIMER_MS = 5_000;
/**
 * When the refresh timer fires, a token this close to being due counts as
 * due: a timer may fire a little early, and the server clock may have been
 * re-read from a Date header (whole seconds) since it was set.
 */
export const DUE_SLACK_MS = 2_000;

export interface TokenCacheOptions {
  clock: Clock;
  /** Mint a token for the session (POST .../tokens). */
  fetchToken(sessionId: string): Promise<string>;
  /** Tell the other tabs (a no-op without cross-tab sync). */
  post(m: TabMessage): void;
  /** Run fn holding the cross-tab refresh lock (Web Locks), or null where there is none. */
  lock: (<T>(fn: () => Promise<T>) => Promise<T>) | null;
  /** Schedule a refresh before expiry (once start() was called). */
  timers: boolean;
  /** The timer fired: the session's token is due for a refresh. */
  onDue(sessionId: string): void;
  /** A token arrived (fetched here or by another tab), with its claims. */
  onToken(sessionId: string, claims: Record<string, unknown> | null): void;
}

interface Entry {
  sessionId: string;
  jwt: string;
  /** exp, in server milliseconds. */
  expiresAt: number;
  /** iat, in seconds: which of two tokens is newer. */
  iat: number;
}

interface RemoteRefresh {
  sessionId: string;
  done: Promise<void>;
  end(): void;
}

/**
 * TokenCache keeps the active session's token in memory. Concurrent callers
 * share one request. Across tabs, one refresh runs at a time (a Web Lock
 * where the platform has one) and announces itself with a "refreshing"
 * message; the other tabs wait for the token it broadcasts instead of
 * refreshing too.
 */
export class TokenCache {
  private entry: Entry | null = null;
  private inflight: { sessionId: string; promise: Promise<string> } | null = null;
  private remote: RemoteRefresh | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by clear(): a refresh started before it must not store its token. */
  private generation = 0;
  private destroyed = false;
  /** Timers run only after start(): a client that is made and dropped schedules nothing. */
  private started = false;

  constructor(private readonly o: TokenCacheOptions) {}

  /** fresh is the cached token of sessionId if it is not due for a refresh yet. */
  fresh(sessionId: string, slackMs = 0): string | null {
    const e = this.entry;
    return e && e.sessionId === sessionId && e.expiresAt - REFRESH_MARGIN_MS - slackMs > this.o.clock.now() ? e.jwt : null;
  }

  /**
   * get returns a fresh token, refreshing it (once, however many callers)
   * when due. slackMs counts a token due that early (the refresh timer).
   */
  get(sessionId: string, skipCache: boolean, slackMs = 0): Promise<string> {
    const cached = skipCache ? null : this.fresh(sessionId, slackMs);
    if (cached) return Promise.resolve(cached);
    if (this.inflight?.sessionId === sessionId) return this.inflight.promise;
    const promise: Promise<string> = this.refresh(sessionId, skipCache, slackMs).finally(() => {
      if (this.inflight?.promise === promise) this.inflight = null;
    });
    this.inflight = { sessionId, promise };
    return promise;
  }

  private refresh(sessionId: string, force: boolean, slackMs: number): Promise<string> {
    const generation = this.generation;
    const run = async (): Promise<string> => {
      if (!force) {
        if (this.remote?.sessionId === sessionId) await this.remote.done;
        // Another tab may have refreshed while this one waited for the lock.
        const cached = this.fresh(sessionId, slackMs);
        if (cached) return cached;
      }
      // The other tabs wait for this refresh's token rather than start
      // their own: those that asked meanwhile wait for the lock (or, without
      // Web Locks, saw this notice first), then for the token message.
      this.o.post({ type: "refreshing", sessionId });
      const jwt = await this.o.fetchToken(sessionId);
      if (generation === this.generation) {
        this.store(sessionId, jwt);
        this.o.post({ type: "token", sessionId, jwt });
      }
      return jwt;
    };
    return this.o.lock ? this.o.lock(run) : run();
  }

  /** start lets the cache schedule refreshes (the client's load()). */
  start(): void {
    this.started = true;
    this.schedule();
  }

  /** store caches a token and schedules its refresh. */
  store(sessionId: string, jwt: string): void {
    if (this.destroyed) return;
    const claims = decodeClaims(jwt);
    const exp = typeof claims?.exp === "number" ? claims.exp * 1000 : 0;
    // Tabs race: never replace a token of the session with an older one
    // (it may carry claims from before a change).
    const current = this.entry;
    const iat = typeof claims?.iat === "number" ? claims.iat : 0;
    if (current && current.sessionId === sessionId && iat < current.iat) return;
    this.entry = exp ? { sessionId, jwt, expiresAt: exp, iat } : null;
    this.schedule();
    this.o.onToken(sessionId, claims);
  }

  /** receive handles another tab's token or refresh notice (for the active session only). */
  receive(m: TabMessage): void {
    if (m.type === "token") {
      this.store(m.sessionId, m.jwt);
      this.endRemote();
    } else if (m.type === "refreshing" && !this.destroyed) {
      this.endRemote();
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const timer = setTimeout(() => this.endRemote(), REMOTE_WAIT_MS);
      this.remote = {
        sessionId: m.sessionId,
        done,
        end: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    }
  }

  /** clear forgets the token (signed out, switched, or the user changed). */
  clear(): void {
    this.generation++;
    this.entry = null;
    this.inflight = null;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  destroy(): void {
    this.destroyed = true;
    this.clear();
    this.endRemote();
  }

  private endRemote(): void {
    const r = this.remote;
    this.remote = null;
    r?.end();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const e = this.entry;
    if (!e || !this.o.timers || !this.started || this.destroyed) return;
    const delay = Math.max(e.expiresAt - REFRESH_MARGIN_MS - this.o.clock.now(), MIN_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Not due even with the slack (the server's clock moved back since):
      // look again later rather than leave the token to expire untimed.
      if (this.fresh(e.sessionId, DUE_SLACK_MS)) this.schedule();
      else this.o.onDue(e.sessionId);
    }, delay);
  }
}
