package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// meEmailJSON renders one of the person's email addresses, with the code
// verification in progress when there is one.
func meEmailJSON(idn *latchkey.Identifier, pending *latchkey.Challenge) identifierJSON {
	j := identifiersJSON([]*latchkey.Identifier{idn})[0]
	if pending != nil && !idn.Verification.Verified() {
		attempts, expire := pending.Attempts, latchkey.Millis(pending.ExpireAt)
		j.Verification.Strategy = pending.Kind
		j.Verification.Attempts, j.Verification.ExpireAt = &attempts, &expire
	}
	return j
}

// meEmailCreate is POST /v1/me/email_addresses: add an address, unverified.
func (s *Server) meEmailCreate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var body struct {
		EmailAddress *string `json:"email_address"`
	}
	if err := s.decodeJSON(r, &body, false); err != nil {
		return err
	}
	if body.EmailAddress == nil {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "email_address", "Send email_address.")
	}
	idn, err := s.me.AddEmail(r.Context(), sess.UserID, *body.EmailAddress, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, meEmailJSON(idn, nil))
}

// meEmailPrepare is POST /v1/me/email_addresses/{id}/prepare_verification:
// mail a code to the address.
func (s *Server) meEmailPrepare(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var body struct {
		Strategy string `json:"strategy"`
	}
	if err := s.decodeJSON(r, &body, false); err != nil {
		return err
	}
	idn, c, err := s.me.PrepareEmailVerification(r.Context(), fc.state, sess.UserID, r.PathValue("id"), body.Strategy, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, meEmailJSON(idn, c))
}

// meEmailAttempt is POST /v1/me/email_addresses/{id}/attempt_verification:
// check the code; the address becomes verified.
func (s *Server) meEmailAttempt(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := s.decodeJSON(r, &body, false); err != nil {
		return err
	}
	idn, err := s.me.AttemptEmailVerification(r.Context(), sess.UserID, r.PathValue("id"), body.Code, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, meEmailJSON(idn, nil))
}

// meEmailMakePrimary is POST /v1/me/email_addresses/{id}/make_primary.
func (s *Server) meEmailMakePrimary(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	u, err := s.me.MakePrimaryEmail(r.Context(), sess.UserID, r.PathValue("id"), fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}

// meEmailDelete is DELETE /v1/me/email_addresses/{id}.
func (s *Server) meEmailDelete(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.me.RemoveEmail(r.Context(), sess.UserID, id, fc.req); err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, deletedJSON{Object: "email_address", ID: id, Deleted: true})
}
