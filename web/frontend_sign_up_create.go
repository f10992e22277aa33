package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// signUpsCreate is POST /v1/client/sign_ups: start a sign-up with any of
// the fields (Clerk's names), validated at once.
func (s *Server) signUpsCreate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.SignUpParams
	if err := s.decodeJSON(r, &p, true); err != nil {
		return err
	}
	if p.Strategy != "" || p.Transfer {
		return s.signUpSocial(w, r, fc, p)
	}
	if err := s.checkSignUpRedirect(p.RedirectURL); err != nil {
		return err
	}
	su, err := s.signUps.Create(r.Context(), fc.state, p, fc.req)
	return s.writeSignUp(w, r, fc, su, err)
}

// signUpsUpdate is PATCH /v1/client/sign_ups/{id}: add or change fields.
func (s *Server) signUpsUpdate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.SignUpParams
	if err := s.decodeJSON(r, &p, true); err != nil {
		return err
	}
	if err := s.checkSignUpRedirect(p.RedirectURL); err != nil {
		return err
	}
	su, err := s.signUps.Update(r.Context(), fc.state, r.PathValue("id"), p, fc.req)
	return s.writeSignUp(w, r, fc, su, err)
}

// signUpsGet is GET /v1/client/sign_ups/{id}: the browser's sign-up, in
// whatever state (a tab waiting for an email link polls it).
func (s *Server) signUpsGet(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	su, err := s.signUps.SignUp(r.Context(), fc.state, r.PathValue("id"))
	return s.writeSignUp(w, r, fc, su, err)
}

// writeSignUp answers a sign-up endpoint: the sign-up in the envelope, or
// the error; a rate limit says when to retry.
func (s *Server) writeSignUp(w http.ResponseWriter, r *http.Request, fc *frontendCtx, su *latchkey.SignUp, err error) error {
	if err != nil {
		var limited *auth.RateLimitError
		if errors.As(err, &limited) {
			w.Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter))
		}
		return err
	}
	out, err := s.signUpResponse(r.Context(), su)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, out)
}

// checkSignUpRedirect checks an optional redirect URL against the
// allow-list (an empty one means none).
func (s *Server) checkSignUpRedirect(raw *string) error {
	if raw == nil || *raw == "" {
		return nil
	}
	_, err := s.checkRedirect(*raw)
	return err
}
