package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey/auth"
)

// The signed-in person's own account, /v1/me. Every endpoint acts on the
// user of the client's active session and answers signed_out without one;
// the rules live in auth.Me.

// meGet is GET /v1/me: the signed-in user (never their private metadata).
func (s *Server) meGet(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	u, err := s.me.User(r.Context(), sess.UserID)
	if err != nil {
		return err
	}
	if err := s.withExternalAccounts(r.Context(), u); err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}

// meUpdate is PATCH /v1/me: names, username and unsafe metadata.
func (s *Server) meUpdate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var p auth.ProfileParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	u, err := s.me.UpdateProfile(r.Context(), sess.UserID, p)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}

// meDelete is DELETE /v1/me: delete your own account, when the instance
// allows it. The browser is signed out of it (its cookies change), but
// keeps its client.
func (s *Server) meDelete(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	if err := s.me.DeleteSelf(r.Context(), fc.state, sess, fc.req); err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, deletedJSON{Object: "user", ID: sess.UserID, Deleted: true})
}
