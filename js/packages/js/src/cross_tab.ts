import type { Client } from "./resources";

/** The BroadcastChannel every Latchkey client of an origin shares. */
export const CHANNEL_NAME = "latchkey";

/** What tabs tell each other. */
export type TabMessage =
  /** Signed in or out, switched account, or the user changed: the client as it is now. */
  | { type: "client"; client: Client | null }
  /** A fresh token: the other tabs use it instead of refreshing. */
  | { type: "token"; sessionId: string; jwt: string }
  /** A tab is refreshing; the others wait (up to 5 s) for its token. */
  | { type: "refreshing"; sessionId: string };

/**
 * TabChannel carries TabMessages between the tabs of one origin. Where
 * BroadcastChannel does not exist it does nothing, and tabs fall back on the
 * `__lk_uat` cookie check when they regain focus.
 */
export class TabChannel {
  private readonly channel: BroadcastChannel | null;

  constructor(onMessage: (m: TabMessage) => void) {
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : null;
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent<unknown>) => {
        const m = e.data as TabMessage | null;
        if (m && typeof m === "object" && typeof m.type === "string") onMessage(m);
      };
    }
  }

  post(m: TabMessage): void {
    try {
      this.channel?.postMessage(m);
    } catch {
      // Closed (destroyed) or not cloneable: the other tabs catch up on focus.
    }
  }

  close(): void {
    this.channel?.close();
  }
}

/** webLocks is the Web Locks API where the platform has it. */
export function webLocks(): LockManager | undefined {
  return typeof navigator === "object" && navigator !== null ? navigator.locks : undefined;
}

/**
 * readUat is the `__lk_uat` cookie (when the client last signed in, out or
 * switched; readable by scripts), or null outside a document or without it.
 */
export function readUat(): string | null {
  if (typeof document !== "object" || document === null) return null;
  const m = /(?:^|;\s*)__lk_uat=([^;]*)/.exec(document.cookie);
  return m ? (m[1] ?? "") : null;
}
