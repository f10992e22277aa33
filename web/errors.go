package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// statusOf maps every catalog code to its HTTP status. A test checks that
// every code in latchkey.Messages has an entry.
var statusOf = map[latchkey.Code]int{
	latchkey.CodeInternal:               http.StatusInternalServerError,
	latchkey.CodeRequestBodyInvalid:     http.StatusBadRequest,
	latchkey.CodeRequestBodyTooLarge:    http.StatusRequestEntityTooLarge,
	latchkey.CodeUnsupportedMediaType:   http.StatusUnsupportedMediaType,
	latchkey.CodeFormParamUnknown:       http.StatusBadRequest,
	latchkey.CodeFormParamMissing:       http.StatusBadRequest,
	latchkey.CodeFormParamInvalid:       http.StatusBadRequest,
	latchkey.CodeFormParamValue:         http.StatusBadRequest,
	latchkey.CodeAuthHeaderMissing:      http.StatusUnauthorized,
	latchkey.CodeAuthInvalid:            http.StatusUnauthorized,
	latchkey.CodeResourceNotFound:       http.StatusNotFound,
	latchkey.CodeRouteNotFound:          http.StatusNotFound,
	latchkey.CodeMethodNotAllowed:       http.StatusMethodNotAllowed,
	latchkey.CodeIdentifierExists:       http.StatusConflict,
	latchkey.CodePasswordTooShort:       http.StatusUnprocessableEntity,
	latchkey.CodePasswordTooLong:        http.StatusUnprocessableEntity,
	latchkey.CodePasswordNotAllowed:     http.StatusUnprocessableEntity,
	latchkey.CodePasswordHasher:         http.StatusBadRequest,
	latchkey.CodePasswordDigest:         http.StatusBadRequest,
	latchkey.CodeIdentifierRequired:     http.StatusUnprocessableEntity,
	latchkey.CodeIdentifierDisabled:     http.StatusUnprocessableEntity,
	latchkey.CodeLastIdentifier:         http.StatusUnprocessableEntity,
	latchkey.CodeSettingManaged:         http.StatusConflict,
	latchkey.CodeServerBusy:             http.StatusServiceUnavailable,
	latchkey.CodeForbidden:              http.StatusForbidden,
	latchkey.CodeAPIKeyRevoked:          http.StatusConflict,
	latchkey.CodeSessionNotActive:       http.StatusUnauthorized,
	latchkey.CodeSignedOut:              http.StatusUnauthorized,
	latchkey.CodePasswordIncorrect:      http.StatusUnprocessableEntity,
	latchkey.CodeCodeIncorrect:          http.StatusUnprocessableEntity,
	latchkey.CodeVerificationExpired:    http.StatusUnprocessableEntity,
	latchkey.CodeVerificationFailed:     http.StatusUnprocessableEntity,
	latchkey.CodeVerificationUsed:       http.StatusUnprocessableEntity,
	latchkey.CodeVerificationMissing:    http.StatusUnprocessableEntity,
	latchkey.CodeIdentifierNotFound:     http.StatusUnprocessableEntity,
	latchkey.CodePasswordPwned:          http.StatusUnprocessableEntity,
	latchkey.CodePasswordPersonal:       http.StatusUnprocessableEntity,
	latchkey.CodeUserLocked:             http.StatusForbidden,
	latchkey.CodeUserBanned:             http.StatusForbidden,
	latchkey.CodeRateLimited:            http.StatusTooManyRequests,
	latchkey.CodeOriginNotAllowed:       http.StatusForbidden,
	latchkey.CodeRedirectNotAllowed:     http.StatusBadRequest,
	latchkey.CodeSignUpRestricted:       http.StatusForbidden,
	latchkey.CodeSignUpWaitlist:         http.StatusForbidden,
	latchkey.CodeEmailNotAllowed:        http.StatusUnprocessableEntity,
	latchkey.CodeAttemptExpired:         http.StatusUnprocessableEntity,
	latchkey.CodeStrategyNotAllowed:     http.StatusUnprocessableEntity,
	latchkey.CodeSessionExists:          http.StatusUnprocessableEntity,
	latchkey.CodeDeleteSelfDisabled:     http.StatusForbidden,
	latchkey.CodeOAuthAccessDenied:      http.StatusForbidden,
	latchkey.CodeOAuthProviderError:     http.StatusBadGateway,
	latchkey.CodeOAuthStateInvalid:      http.StatusBadRequest,
	latchkey.CodeOAuthTokenExchange:     http.StatusBadGateway,
	latchkey.CodeOAuthIDTokenInvalid:    http.StatusBadGateway,
	latchkey.CodeOAuthEmailMissing:      http.StatusUnprocessableEntity,
	latchkey.CodeOAuthEmailUnverified:   http.StatusUnprocessableEntity,
	latchkey.CodeOAuthProviderExists:    http.StatusConflict,
	latchkey.CodeExternalAccountExists:  http.StatusConflict,
	latchkey.CodeReverificationRequired: http.StatusForbidden,
}

// errorBody is the wire shape of every error response.
type errorBody struct {
	Errors  []errorJSON `json:"errors"`
	TraceID string      `json:"trace_id"`
}

type errorJSON struct {
	Code        latchkey.Code `json:"code"`
	Message     string        `json:"message"`
	LongMessage string        `json:"long_message,omitempty"`
	Meta        *errorMeta    `json:"meta,omitempty"`
}

type errorMeta struct {
	ParamName string `json:"param_name,omitempty"`
}

// writeError renders err. A *latchkey.Error is sent as its code and safe
// messages; anything else becomes internal_error. The cause of a 5xx is
// logged here, once, with the trace id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *latchkey.Error
	if !errors.As(err, &e) {
		e = &latchkey.Error{Code: latchkey.CodeInternal, Message: latchkey.Messages[latchkey.CodeInternal], Cause: err}
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away; nobody will read the answer.
			s.log.Debug("request canceled", "trace_id", traceID(r.Context()))
		}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	var limited *auth.RateLimitError
	if errors.As(err, &limited) {
		w.Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter))
	}
	if status >= 500 {
		s.log.Error("request failed", "trace_id", traceID(r.Context()), "method", r.Method,
			"path", r.URL.Path, "code", e.Code, "err", err)
	}
	body := errorJSON{Code: e.Code, Message: e.Message, LongMessage: e.LongMessage}
	if body.Message == "" {
		body.Message = latchkey.Messages[e.Code]
	}
	if e.Param != "" {
		body.Meta = &errorMeta{ParamName: e.Param}
	}
	writeJSON(w, status, errorBody{Errors: []errorJSON{body}, TraceID: traceID(r.Context())})
}

func errRouteNotFound(path string) error {
	return latchkey.Errorf(latchkey.CodeRouteNotFound, "", "There is no endpoint at %s.", truncate(path, 200))
}

func errMethodNotAllowed(method string) error {
	return latchkey.Errorf(latchkey.CodeMethodNotAllowed, "", "%s is not supported at this path; see the Allow header.", truncate(method, 20))
}

func errNotFound(what, id string) error {
	return latchkey.Errorf(latchkey.CodeResourceNotFound, "id", "No %s with ID %q.", what, truncate(id, 100))
}

// notFoundAs turns latchkey.ErrNotFound into a not-found error naming what
// was looked up; other errors pass through.
func notFoundAs(err error, what, id string) error {
	if errors.Is(err, latchkey.ErrNotFound) {
		return errNotFound(what, id)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...", s[:n])
}
