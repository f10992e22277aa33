package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
)

// Surfaces, each with its own security defaults.
const (
	surfaceBackend  = "backend"  // /api/v1: secret key, JSON only, no cookies
	surfaceFrontend = "frontend" // /v1: client cookie, Origin checks, CORS for allowed origins
	surfacePublic   = "public"   // keys and health: no credentials
	surfaceOps      = "ops"      // metrics: secret key outside dev mode
	surfaceDev      = "dev"      // /dev: dev tools, only in dev mode
)

// route is one endpoint. Path uses net/http patterns ({id}).
type route struct {
	Method  string
	Path    string
	Surface string
	handler http.Handler
}

// routes lists every endpoint Latchkey serves. (CORS preflight, OPTIONS on
// any /v1/ path, is answered by dispatch in server.go.) docs/api/backend.yaml must
// describe exactly the backend ones (a test checks).
func (s *Server) routes() []route {
	backend := func(method, path string, h handlerFunc) route {
		return route{method, path, surfaceBackend, s.backendAPI(h)}
	}
	frontend := func(method, path string, h frontendFunc) route {
		return route{method, path, surfaceFrontend, s.frontendAPI(h)}
	}
	var dev []route
	if s.inbox != nil {
		dev = []route{
			{"GET", "/dev/inbox", surfaceDev, s.handle(devInboxHTML(s.inbox))},
			{"GET", "/dev/inbox.json", surfaceDev, s.handle(devInboxJSON(s.inbox))},
		}
	}
	if s.testIdP != nil {
		dev = append(dev,
			route{"GET", auth.TestIdPPath + "/authorize", surfaceDev, s.handle(s.testIdPAuthorize)},
			route{"POST", auth.TestIdPPath + "/authorize", surfaceDev, s.handle(s.testIdPAuthorizePost)},
			route{"POST", auth.TestIdPPath + "/token", surfaceDev, s.handle(s.testIdPToken)},
			route{"GET", auth.TestIdPPath + "/userinfo", surfaceDev, s.handle(s.testIdPUserinfo)},
		)
	}
	return append(dev, []route{
		{"GET", "/.well-known/jwks.json", surfacePublic, s.handle(s.jwks)},
		{"GET", "/healthz", surfacePublic, s.handle(s.healthz)},
		{"GET", "/readyz", surfacePublic, s.handle(s.readyz)},
		{"GET", "/metrics", surfaceOps, s.handle(s.metricsHandler)},

		frontend("GET", "/v1/environment", s.environment),
		frontend("GET", "/v1/client", s.clientGet),
		frontend("DELETE", "/v1/client", s.clientDelete),
		frontend("GET", "/v1/client/handshake", s.handshake),
		frontend("POST", "/v1/client/sessions/{id}/tokens", s.sessionTokens),
		frontend("POST", "/v1/client/sessions/{id}/touch", s.sessionTouch),
		frontend("POST", "/v1/client/sessions/{id}/end", s.sessionEnd),
		frontend("GET", "/v1/me/sessions", s.meSessions),
		frontend("POST", "/v1/me/sessions/{id}/revoke", s.meSessionRevoke),
		frontend("GET", "/v1/me", s.meGet),
		frontend("PATCH", "/v1/me", s.meUpdate),
		frontend("DELETE", "/v1/me", s.meDelete),
		frontend("POST", "/v1/me/email_addresses", s.meEmailCreate),
		frontend("POST", "/v1/me/email_addresses/{id}/prepare_verification", s.meEmailPrepare),
		frontend("POST", "/v1/me/email_addresses/{id}/attempt_verification", s.meEmailAttempt),
		frontend("POST", "/v1/me/email_addresses/{id}/make_primary", s.meEmailMakePrimary),
		frontend("DELETE", "/v1/me/email_addresses/{id}", s.meEmailDelete),
		frontend("POST", "/v1/me/change_password", s.meChangePassword),
		frontend("POST", "/v1/me/profile_image", s.meImageSet),
		frontend("DELETE", "/v1/me/profile_image", s.meImageDelete),
		{"GET", "/v1/images/{id}", surfacePublic, s.handle(s.imageGet)},
		frontend("POST", "/v1/client/sign_ins", s.signInCreate),
		frontend("GET", "/v1/client/sign_ins/{id}", s.signInGet),
		frontend("POST", "/v1/client/sign_ins/{id}/prepare_first_factor", s.signInPrepare),
		frontend("POST", "/v1/client/sign_ins/{id}/attempt_first_factor", s.signInAttempt),
		frontend("POST", "/v1/client/sign_ins/{id}/reset_password", s.signInResetPassword),
		frontend("GET", "/v1/verify", s.verifyLink),
		frontend("POST", "/v1/client/sign_ups", s.signUpsCreate),
		frontend("GET", "/v1/client/sign_ups/{id}", s.signUpsGet),
		frontend("GET", auth.CallbackPath, s.oauthCallback),
		// Apple's form_post arrives cross-site without cookies: no Origin
		// check, no client; it only redirects to the GET callback.
		{"POST", auth.CallbackPath, surfaceFrontend, s.handle(s.oauthCallbackPost)},
		frontend("POST", "/v1/me/external_accounts", s.meExternalAccountCreate),
		frontend("DELETE", "/v1/me/external_accounts/{id}", s.meExternalAccountDelete),
		frontend("PATCH", "/v1/client/sign_ups/{id}", s.signUpsUpdate),
		frontend("POST", "/v1/client/sign_ups/{id}/prepare_verification", s.signUpsPrepare),
		frontend("POST", "/v1/client/sign_ups/{id}/attempt_verification", s.signUpsAttempt),

		backend("GET", "/api/v1/instance", s.instanceGet),
		backend("PATCH", "/api/v1/instance", s.instancePatch),

		backend("GET", "/api/v1/api_keys", s.apiKeysList),
		backend("POST", "/api/v1/api_keys", s.apiKeysCreate),
		backend("POST", "/api/v1/api_keys/{id}/revoke", s.apiKeysRevoke),

		backend("POST", "/api/v1/users", s.usersCreate),
		backend("GET", "/api/v1/users", s.usersList),
		backend("GET", "/api/v1/users/count", s.usersCount),
		backend("GET", "/api/v1/users/{id}", s.usersGet),
		backend("PATCH", "/api/v1/users/{id}", s.usersUpdate),
		backend("DELETE", "/api/v1/users/{id}", s.usersDelete),
		backend("PATCH", "/api/v1/users/{id}/metadata", s.usersMetadata),
		backend("POST", "/api/v1/users/{id}/ban", s.usersBan),
		backend("POST", "/api/v1/users/{id}/unban", s.usersUnban),
		backend("POST", "/api/v1/users/{id}/lock", s.usersLock),
		backend("GET", "/api/v1/users/{id}/oauth_access_tokens/{provider}", s.usersOAuthAccessTokens),
		backend("POST", "/api/v1/users/{id}/unlock", s.usersUnlock),

		backend("GET", "/api/v1/sessions", s.sessionsList),
		backend("GET", "/api/v1/sessions/{id}", s.sessionsGet),
		backend("POST", "/api/v1/sessions/{id}/revoke", s.sessionsRevoke),
		backend("POST", "/api/v1/sessions/{id}/tokens", s.sessionsTokens),
		backend("GET", "/api/v1/clients/{id}", s.clientsGet),
		backend("GET", "/api/v1/events", s.eventsList),
		backend("GET", "/api/v1/webhooks/endpoints", s.webhookEndpointsList),
		backend("POST", "/api/v1/webhooks/endpoints", s.webhookEndpointsCreate),
		backend("GET", "/api/v1/webhooks/endpoints/{id}", s.webhookEndpointsGet),
		backend("PATCH", "/api/v1/webhooks/endpoints/{id}", s.webhookEndpointsUpdate),
		backend("DELETE", "/api/v1/webhooks/endpoints/{id}", s.webhookEndpointsDelete),
		backend("POST", "/api/v1/webhooks/endpoints/{id}/enable", s.webhookEndpointsEnable),
		backend("POST", "/api/v1/webhooks/endpoints/{id}/disable", s.webhookEndpointsDisable),
		backend("POST", "/api/v1/webhooks/endpoints/{id}/rotate_secret", s.webhookEndpointsRotate),
		backend("GET", "/api/v1/webhooks/endpoints/{id}/secret", s.webhookEndpointsSecret),
		backend("GET", "/api/v1/webhooks/endpoints/{id}/headers", s.webhookEndpointsHeaders),
		backend("GET", "/api/v1/webhooks/endpoints/{id}/attempts", s.webhookAttemptsList),
		backend("POST", "/api/v1/webhooks/endpoints/{id}/replay", s.webhookEndpointsReplay),
		backend("POST", "/api/v1/webhooks/endpoints/{id}/test", s.webhookEndpointsTest),
		backend("POST", "/api/v1/sign_in_tokens", s.signInTokensCreate),

		backend("GET", "/api/v1/oauth_providers", s.oauthProvidersList),
		backend("POST", "/api/v1/oauth_providers", s.oauthProvidersCreate),
		backend("GET", "/api/v1/oauth_providers/{id}", s.oauthProvidersGet),
		backend("PATCH", "/api/v1/oauth_providers/{id}", s.oauthProvidersUpdate),
		backend("DELETE", "/api/v1/oauth_providers/{id}", s.oauthProvidersDelete),
	}...)
}

// BackendRoutes returns "METHOD /path" for every Backend API route, for the
// test that keeps the OpenAPI description in step.
func (s *Server) BackendRoutes() []string {
	var out []string
	for _, rt := range s.routes() {
		if rt.Surface == surfaceBackend {
			out = append(out, rt.Method+" "+rt.Path)
		}
	}
	return out
}
