package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

type apiKeyKey struct{}

// backendAPI wraps a Backend API endpoint: it requires a valid secret key in
// "Authorization: Bearer sk_..." and ignores cookies entirely.
func (s *Server) backendAPI(h handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		key, err := s.authenticateSecretKey(r)
		if err != nil {
			return err
		}
		if err := checkTextParams(r); err != nil {
			return err
		}
		r = r.WithContext(context.WithValue(r.Context(), apiKeyKey{}, key))
		return h(w, r)
	})
}

// authenticateSecretKey returns the API key the request presents. Keys are
// looked up by their SHA-256 digest, so the comparison leaks nothing useful.
func (s *Server) authenticateSecretKey(r *http.Request) (*latchkey.APIKey, error) {
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return nil, latchkey.NewError(latchkey.CodeAuthHeaderMissing, "")
	}
	scheme, secret, ok := strings.Cut(hdr, " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(secret, "sk_") {
		return nil, latchkey.Errorf(latchkey.CodeAuthInvalid, "", "Send the secret key as 'Authorization: Bearer sk_...'.")
	}
	want := "sk_" + s.instance.Instance().KeyPrefix() + "_"
	if !strings.HasPrefix(secret, want) {
		return nil, latchkey.Errorf(latchkey.CodeAuthInvalid, "", "This instance takes %s... keys; the key sent is for another environment.", want)
	}
	key, err := s.store.APIKeyByDigest(r.Context(), instance.Digest(secret))
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, latchkey.NewError(latchkey.CodeAuthInvalid, "")
	} else if err != nil {
		return nil, err
	}
	if key.Revoked() {
		return nil, latchkey.Errorf(latchkey.CodeAuthInvalid, "", "This secret key was revoked.")
	}
	// Record use at most hourly: the hot path stays read-only.
	if time.Since(key.LastUsedAt) > time.Hour {
		if err := s.store.TouchAPIKey(r.Context(), key.ID); err != nil {
			s.log.Warn("record api key use", "err", err, "trace_id", traceID(r.Context()))
		}
	}
	return key, nil
}
