// "@latchkey/nextjs/server": the middleware, route matchers, auth(),
// currentUser() and verifyWebhook(). Server only. The middleware's code path uses Web APIs and
// jose only, so it runs in proxy.ts (Node) and in middleware.ts (Edge).

export { latchkeyMiddleware, type LatchkeyMiddlewareOptions } from "./middleware";
export { createRouteMatcher, type RouteInput, type RouteMatcher, type RoutePatterns } from "./route_matcher";
export { auth, hasAccess, type AccessCheck, type Auth } from "./auth";
export { currentUser } from "./current_user";
export { verifyToken } from "./verify_token";
export type { BackendUser } from "./backend_user";
export type { SessionClaims } from "./claims";
export type { LatchkeyServerOptions } from "./options";
export { REASONS, type Reason } from "./reasons";
export {
  verifyWebhook,
  WebhookVerificationError,
  type BackendEmail,
  type BackendSession,
  type DeletedUser,
  type EmailCreatedEvent,
  type SessionCreatedEvent,
  type SessionEndedEvent,
  type SessionRemovedEvent,
  type SessionRevokedEvent,
  type UnknownWebhookEvent,
  type UserCreatedEvent,
  type UserDeletedEvent,
  type UserUpdatedEvent,
  type WebhookEvent,
  type WebhookEventEnvelope,
  type WebhookTestData,
  type WebhookTestEvent,
  type WebhookVerificationErrorCode,
} from "./webhook";
export { isLatchkeyNextError, LatchkeyNextError, type LatchkeyNextErrorCode } from "./errors";
export { AUTH_REASON_HEADER, AUTH_STATUS_HEADER, CLIENT_UAT_COOKIE, HANDSHAKE_PARAM, SESSION_COOKIE } from "./request";
